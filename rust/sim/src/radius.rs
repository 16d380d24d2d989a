//! A RADIUS server (RFC 2865 over UDP, Message-Authenticator per RFC 3579) for the demo
//! users, on the same loopback address as the HTTP listener (`mfa-sim --radius`).
//!
//! | user | answer |
//! |---|---|
//! | `alice@contoso.com` | Access-Accept after about 1 s |
//! | `bob@contoso.com` | Access-Reject after about 1 s |
//! | `carol@contoso.com` | never answers (the user ignores the push) |
//! | `mallory@contoso.com` | Access-Reject with "Fraud reported" |
//! | `challenge@contoso.com` | Access-Challenge asking for a one-time code (as the Entra MFA extension does) |
//! | `unsigned@contoso.com` | Access-Accept without a Message-Authenticator |
//! | `wrongsecret@contoso.com` | Access-Accept signed with another shared secret |
//!
//! A user scripted in the simulator's directory (a file, or `Start-MfaSimulator -User`)
//! answers as scripted, after their delay: approve is an Access-Accept, deny and fraud an
//! Access-Reject ("Denied on the device", "Fraud reported"), no response is silence.
//!
//! Anyone else gets an Access-Reject at once. Requests must carry a valid
//! Message-Authenticator and an empty PAP password or [`DEMO_RADIUS_PASSWORD`]; a
//! retransmission (the same source, identifier and authenticator) never starts a second
//! push: it is ignored while the user decides and answered again from a cache afterwards
//! (RFC 5080).

use mfa_protocol::radius::server::{encode_answer, read_request, MessageAuthenticator};
use mfa_protocol::radius::{attr, code, MAX_PACKET_BYTES};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

/// The demo shared secret (demo only; printed nowhere, documented in the README).
pub const DEMO_RADIUS_SECRET: &str = "demo-radius-shared-secret-for-mfa-sim-only";
/// The one PAP password besides the empty one the simulator accepts.
pub const DEMO_RADIUS_PASSWORD: &str = "demo-radius-password";

/// What the simulator's RADIUS side saw (tests read it).
#[derive(Debug, Default)]
pub struct RadiusStats {
    /// Datagrams received.
    pub datagrams: AtomicU64,
    /// Datagrams dropped (unreadable, wrong Message-Authenticator).
    pub dropped: AtomicU64,
    /// Pushes started (distinct requests).
    pub pushes: AtomicU64,
    /// Retransmissions recognised (no second push).
    pub duplicates: AtomicU64,
    /// The requests read (the first 1,000).
    pub seen: Mutex<Vec<RadiusSeen>>,
}

/// One Access-Request as the simulator read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusSeen {
    /// User-Name.
    pub user_name: String,
    /// NAS-Identifier, when sent.
    pub nas_identifier: Option<String>,
    /// Calling-Station-Id, when sent.
    pub calling_station_id: Option<String>,
    /// The PAP password's length (never the password).
    pub password_len: usize,
}

/// The running RADIUS server.
#[derive(Debug)]
pub struct RadiusRunning {
    /// The bound UDP address.
    pub addr: SocketAddr,
    /// Counters.
    pub stats: Arc<RadiusStats>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

enum Reply {
    Answer(u8, &'static str, MessageAuthenticator, bool),
    Silence,
}

fn script(user: &str) -> (Duration, Reply) {
    use MessageAuthenticator::{Correct, Omit};
    let second = Duration::from_secs(1);
    match user.to_ascii_lowercase().as_str() {
        "alice@contoso.com" => (
            second,
            Reply::Answer(code::ACCESS_ACCEPT, "Approved on the device", Correct, true),
        ),
        "bob@contoso.com" => (
            second,
            Reply::Answer(code::ACCESS_REJECT, "Denied on the device", Correct, true),
        ),
        "carol@contoso.com" => (Duration::ZERO, Reply::Silence),
        "mallory@contoso.com" => (
            second,
            Reply::Answer(code::ACCESS_REJECT, "Fraud reported", Correct, true),
        ),
        "challenge@contoso.com" => (
            Duration::ZERO,
            Reply::Answer(
                code::ACCESS_CHALLENGE,
                "Enter the code displayed in the Microsoft Authenticator app",
                Correct,
                true,
            ),
        ),
        "unsigned@contoso.com" => (
            Duration::ZERO,
            Reply::Answer(code::ACCESS_ACCEPT, "", Omit, true),
        ),
        "wrongsecret@contoso.com" => (
            Duration::ZERO,
            Reply::Answer(code::ACCESS_ACCEPT, "", Correct, false),
        ),
        _ => (
            Duration::ZERO,
            Reply::Answer(code::ACCESS_REJECT, "Unknown user", Correct, true),
        ),
    }
}

/// What `user` gets: as scripted in the directory, else the built-in demo answer.
fn script_for(user: &str, directory: Option<&crate::Directory>) -> (Duration, Reply) {
    use crate::Answer;
    let Some(u) = directory.and_then(|d| d.scripted(user)) else {
        return script(user);
    };
    let correct = MessageAuthenticator::Correct;
    let reply = match u.answer {
        Answer::Approve => {
            Reply::Answer(code::ACCESS_ACCEPT, "Approved on the device", correct, true)
        }
        Answer::Deny => Reply::Answer(code::ACCESS_REJECT, "Denied on the device", correct, true),
        Answer::Fraud => Reply::Answer(code::ACCESS_REJECT, "Fraud reported", correct, true),
        _ => Reply::Silence,
    };
    (u.delay(), reply)
}

type Key = (SocketAddr, u8, [u8; 16]);

impl RadiusRunning {
    /// Binds `addr` (port 0: a free port) and answers with `secret` for the built-in demo
    /// users.
    pub async fn start(addr: SocketAddr, secret: &str) -> Result<Self, String> {
        Self::start_with(addr, secret, None).await
    }

    /// [`RadiusRunning::start`], answering for the users scripted in `directory` too (the
    /// HTTP side's, [`crate::Running::directory`], so every provider answers the same).
    pub async fn start_with(
        addr: SocketAddr,
        secret: &str,
        directory: Option<Arc<crate::Directory>>,
    ) -> Result<Self, String> {
        let socket = Arc::new(
            UdpSocket::bind(addr)
                .await
                .map_err(|e| format!("RADIUS on {addr}: {e}"))?,
        );
        let addr = socket.local_addr().map_err(|e| e.to_string())?;
        let stats = Arc::new(RadiusStats::default());
        let secret: Arc<[u8]> = secret.as_bytes().into();
        let (tx, mut rx) = oneshot::channel::<()>();
        let task = {
            let stats = stats.clone();
            tokio::spawn(async move {
                // Request key -> the answer once given (None while the user decides).
                let answers: Arc<Mutex<HashMap<Key, Option<Vec<u8>>>>> = Arc::default();
                let mut buf = vec![0u8; MAX_PACKET_BYTES + 1];
                let mut pending = tokio::task::JoinSet::new();
                loop {
                    let (n, from) = tokio::select! {
                        _ = &mut rx => break,
                        Some(_) = pending.join_next(), if !pending.is_empty() => continue,
                        r = socket.recv_from(&mut buf) => match r {
                            Ok(v) => v,
                            Err(_) => continue,
                        },
                    };
                    stats.datagrams.fetch_add(1, Ordering::Relaxed);
                    let Ok(request) = read_request(&buf[..n], &secret, true) else {
                        stats.dropped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    let key = (from, request.identifier, request.authenticator);
                    {
                        let mut map = answers.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(done) = map.get(&key) {
                            stats.duplicates.fetch_add(1, Ordering::Relaxed);
                            if let Some(bytes) = done.clone() {
                                let _ = socket.try_send_to(&bytes, from);
                            }
                            continue;
                        }
                        if map.len() >= 10_000 {
                            map.clear();
                        }
                        map.insert(key, None);
                    }
                    stats.pushes.fetch_add(1, Ordering::Relaxed);
                    {
                        let mut seen = stats.seen.lock().unwrap_or_else(|p| p.into_inner());
                        if seen.len() < 1000 {
                            seen.push(RadiusSeen {
                                user_name: request.user_name.clone(),
                                nas_identifier: request.nas_identifier.clone(),
                                calling_station_id: request.calling_station_id.clone(),
                                password_len: request.password.len(),
                            });
                        }
                    }
                    let password_ok = request.password.is_empty()
                        || request.password.as_slice() == DEMO_RADIUS_PASSWORD.as_bytes();
                    let (delay, reply) = if password_ok {
                        script_for(&request.user_name, directory.as_deref())
                    } else {
                        (
                            Duration::ZERO,
                            Reply::Answer(
                                code::ACCESS_REJECT,
                                "Wrong password",
                                MessageAuthenticator::Correct,
                                true,
                            ),
                        )
                    };
                    let Reply::Answer(answer_code, text, ma, right_secret) = reply else {
                        continue;
                    };
                    let mut attrs: Vec<(u8, &[u8])> = Vec::new();
                    if !text.is_empty() {
                        attrs.push((attr::REPLY_MESSAGE, text.as_bytes()));
                    }
                    if answer_code == code::ACCESS_CHALLENGE {
                        attrs.push((attr::STATE, b"mfa-sim-challenge"));
                    }
                    let key_secret: &[u8] = if right_secret {
                        &secret
                    } else {
                        b"not-the-shared-secret"
                    };
                    let Ok(bytes) = encode_answer(
                        answer_code,
                        request.identifier,
                        &request.authenticator,
                        &attrs,
                        key_secret,
                        ma,
                    ) else {
                        continue;
                    };
                    let (socket, answers) = (socket.clone(), answers.clone());
                    pending.spawn(async move {
                        tokio::time::sleep(delay).await;
                        answers
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(key, Some(bytes.clone()));
                        let _ = socket.send_to(&bytes, from).await;
                    });
                }
                pending.abort_all();
            })
        };
        Ok(RadiusRunning {
            addr,
            stats,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Stops serving and waits until the socket is closed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RadiusRunning {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
