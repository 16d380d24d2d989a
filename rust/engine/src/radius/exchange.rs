//! One Access-Request over UDP: a socket per request, connected to the server (the kernel
//! then delivers only that address's datagrams, and reports an ICMP port-unreachable as
//! a refusal), a CSPRNG identifier and Request Authenticator, every datagram checked by
//! the protocol crate's reader, failures counted and the wait going on until the
//! deadline. A retransmission, when configured, resends the identical bytes (RFC 5080).
//! The next server is tried only when one refuses: never because the user is slow.

use super::config::Server;
use crate::outcome::FailureKind;
use crate::progress::Progress;
use mfa_protocol::radius::client::{encode_access_request, AccessRequest, Answer, EncodeError};
use mfa_protocol::radius::{client::read_answer, Refused, MAX_PACKET_BYTES};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::time::{timeout_at, Instant};

/// What one request is sent with (borrowed from the provider).
pub struct Settings<'a> {
    /// The servers, in order.
    pub servers: &'a [Server],
    /// The shared secret.
    pub secret: &'a [u8],
    /// Require a Message-Authenticator on answers.
    pub require_message_authenticator: bool,
    /// Resend the identical request this often, when set.
    pub retransmit: Option<Duration>,
}

/// How the exchange ended.
pub enum Ended {
    /// A verified answer from `server`.
    Answer {
        /// The answer.
        answer: Answer,
        /// Which server.
        server: String,
    },
    /// No verified answer before the deadline (the last server asked is named).
    TimedOut(String),
    /// No server could be asked: each refused or did not resolve.
    Unreachable(FailureKind, Vec<String>),
    /// Something else stopped the request.
    Failed(FailureKind, String),
}

/// Datagrams dropped, by reason (the protocol reader's, and "from another address").
#[derive(Debug, Default, Clone)]
pub struct Drops {
    by_reason: Vec<(Refused, u32)>,
    wrong_source: u32,
    /// Datagrams sent (the request, its retransmissions, and to each server tried).
    pub sent: u32,
}

impl Drops {
    fn add(&mut self, reason: Refused) {
        match self.by_reason.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => self.by_reason.push((reason, 1)),
        }
    }

    /// How many datagrams were dropped.
    pub fn total(&self) -> u32 {
        self.wrong_source + self.by_reason.iter().map(|(_, n)| n).sum::<u32>()
    }

    /// "3 answers dropped (2 wrong identifier, 1 from another address)", or empty.
    pub fn describe(&self) -> String {
        if self.total() == 0 {
            return String::new();
        }
        let mut parts: Vec<String> = self
            .by_reason
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        if self.wrong_source > 0 {
            parts.push(format!("{} from another address", self.wrong_source));
        }
        format!(
            "{} answer(s) failed a check and were dropped ({})",
            self.total(),
            parts.join(", ")
        )
    }
}

/// The provider's own deadline: a little before the client's, so the outcome it builds
/// (with the drop counts) wins the race with the client's timer.
pub fn inner_deadline(total: Duration) -> Duration {
    total.saturating_sub((total / 10).min(Duration::from_millis(200)))
}

fn is_refusal(e: &std::io::Error) -> bool {
    // Linux reports an ICMP port unreachable as ECONNREFUSED; Windows as WSAECONNRESET.
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
    )
}

enum Wait {
    Answer(Answer),
    Refused,
    TimedOut,
    Failed(FailureKind, String),
}

/// Sends the Access-Request for `user` and waits for a verified answer until `deadline`.
pub async fn exchange(
    s: &Settings<'_>,
    request: AccessRequest<'_>,
    deadline: Instant,
    progress: &Progress,
    drops: &mut Drops,
) -> Ended {
    let mut unreachable = Vec::new();
    let mut kind = FailureKind::Connect;
    let mut last = String::new();
    for server in s.servers {
        last = server.to_string();
        let resolved = timeout_at(
            deadline,
            tokio::net::lookup_host((server.host.as_str(), server.port)),
        )
        .await;
        let addr = match resolved {
            Err(_) => return Ended::TimedOut(last),
            Ok(Ok(mut addrs)) => addrs.next(),
            Ok(Err(_)) => None,
        };
        let Some(addr) = addr else {
            unreachable.push(format!("{server}: the name did not resolve"));
            kind = FailureKind::Dns;
            continue;
        };
        let socket = match bind(addr).await {
            Ok(s) => s,
            Err(e) if is_refusal(&e) => {
                unreachable.push(format!("{server}: refused"));
                continue;
            }
            Err(e) => {
                return Ended::Failed(
                    FailureKind::Transport,
                    format!("could not open a UDP socket to {server}: {}", e.kind()),
                )
            }
        };
        let mut random = [0u8; 17];
        if getrandom::getrandom(&mut random).is_err() {
            return Ended::Failed(
                FailureKind::Internal,
                "the operating system's random number generator failed; nothing was sent".into(),
            );
        }
        let request = AccessRequest {
            identifier: random[0],
            authenticator: random[1..].try_into().expect("16 bytes"),
            ..request
        };
        let packet = match encode_access_request(&request, s.secret) {
            Ok(p) => p,
            Err(EncodeError::TooLarge) => {
                return Ended::Failed(
                    FailureKind::Protocol,
                    "userName or calling station (initiatingIpAddress) is longer than a RADIUS attribute allows (253 bytes); nothing was sent".into(),
                )
            }
            Err(EncodeError::PasswordTooLong) => {
                return Ended::Failed(
                    FailureKind::Protocol,
                    "the password is longer than PAP allows (128 bytes); nothing was sent".into(),
                )
            }
        };
        progress.set(
            "pushed",
            &format!("Access-Request sent to {server}; waiting for the user"),
            None,
        );
        match wait(
            s, &socket, addr, &packet, &request, deadline, progress, drops,
        )
        .await
        {
            Wait::Answer(answer) => {
                return Ended::Answer {
                    answer,
                    server: server.to_string(),
                }
            }
            Wait::Refused => {
                unreachable.push(format!("{server}: refused (port unreachable)"));
                kind = FailureKind::Connect;
            }
            Wait::TimedOut => return Ended::TimedOut(last),
            Wait::Failed(k, m) => return Ended::Failed(k, format!("{server}: {m}")),
        }
    }
    if unreachable.is_empty() {
        return Ended::TimedOut(last);
    }
    Ended::Unreachable(kind, unreachable)
}

async fn bind(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(addr).await?;
    Ok(socket)
}

#[allow(clippy::too_many_arguments)]
async fn wait(
    s: &Settings<'_>,
    socket: &UdpSocket,
    addr: SocketAddr,
    packet: &[u8],
    request: &AccessRequest<'_>,
    deadline: Instant,
    progress: &Progress,
    drops: &mut Drops,
) -> Wait {
    let send = |drops: &mut Drops| {
        drops.sent += 1;
        socket.send(packet)
    };
    match send(drops).await {
        Ok(_) => {}
        Err(e) if is_refusal(&e) => return Wait::Refused,
        Err(e) => {
            return Wait::Failed(FailureKind::Transport, format!("send failed: {}", e.kind()))
        }
    }
    // Room for one byte past the limit, so an oversized datagram is seen as such.
    let mut buf = vec![0u8; MAX_PACKET_BYTES * 2];
    let mut resend_at = s.retransmit.map(|r| Instant::now() + r);
    loop {
        let until = resend_at.map_or(deadline, |t| t.min(deadline));
        match timeout_at(until, socket.recv_from(&mut buf)).await {
            Err(_) if Instant::now() >= deadline => return Wait::TimedOut,
            Err(_) => {
                // Retransmission: the identical datagram (same identifier and
                // authenticator), so the server treats it as the same request.
                match send(drops).await {
                    Ok(_) => {}
                    Err(e) if is_refusal(&e) => return Wait::Refused,
                    Err(e) => {
                        return Wait::Failed(
                            FailureKind::Transport,
                            format!("resend failed: {}", e.kind()),
                        )
                    }
                }
                resend_at = s.retransmit.map(|r| Instant::now() + r);
            }
            Ok(Err(e)) if is_refusal(&e) => return Wait::Refused,
            Ok(Err(e)) => {
                return Wait::Failed(
                    FailureKind::Transport,
                    format!("receive failed: {}", e.kind()),
                )
            }
            Ok(Ok((n, from))) => {
                if from != addr {
                    drops.wrong_source += 1;
                } else {
                    match read_answer(
                        &buf[..n],
                        request.identifier,
                        &request.authenticator,
                        s.secret,
                        s.require_message_authenticator,
                    ) {
                        Ok(answer) => return Wait::Answer(answer),
                        Err(reason) => drops.add(reason),
                    }
                }
                progress.set("waiting", &drops.describe(), None);
            }
        }
    }
}
