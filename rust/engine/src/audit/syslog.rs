//! Audit lines to a syslog server: RFC 5424 messages over UDP (RFC 5426, one datagram per
//! message), TCP (RFC 6587 octet counting) or TLS (RFC 5425: the same framing inside TLS,
//! verified with the engine's TLS code: system roots plus a CA file, or SHA-256 pins).
//!
//! One message per line: `<PRI>1 TIME HOST MfaApproval PID MSGID [mfaApproval@32473 ...] BOM LINE`:
//! facility authpriv (10); severity and MSGID from [`super::event::Entry`]; the structured
//! data holds the line's top-level scalar members (the chain's `seq`, `prev`, `mac` and the
//! record's `id`, `status`, `userName`, ...); the message is the line itself, byte for byte,
//! so a SIEM can check its hash and MAC. Each send opens its own connection, bounded in time;
//! at most [`MAX_IN_FLIGHT`] sends run at once per connection (more wait, inside the bound).

use super::event::Entry;
use crate::check::ConfigError;
use std::sync::Arc;
use tokio::io::AsyncWriteExt as _;

/// The structured-data id of the record's members (32473 is the example enterprise
/// number of RFC 5612; the name is what SIEM rules match).
pub const SD_ID: &str = "mfaApproval@32473";

/// RFC 5424 facility: authpriv (security/authorization messages).
const FACILITY: u8 = 10;

/// Sends in flight at once for one connection.
pub const MAX_IN_FLIGHT: usize = 32;

/// The transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `udp://` (no delivery confirmation).
    Udp,
    /// `tcp://` (octet counting).
    Tcp,
    /// `tls://` (RFC 5425).
    Tls,
}

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The transport.
    pub transport: Transport,
    /// The host (name or address, without brackets).
    pub host: String,
    /// The port (514, 601, 6514 by default).
    pub port: u16,
}

/// Reads `syslogServer`: `udp://host[:514]`, `tcp://host[:601]` or `tls://host[:6514]`.
pub fn parse_target(text: &str) -> Result<Target, ConfigError> {
    const FIELD: &str = "syslogServer";
    crate::check::check_text(FIELD, text, true)?;
    let url = reqwest::Url::parse(text).map_err(|e| {
        ConfigError::new(
            FIELD,
            format!("is not a URL ({e}); give udp://host:514, tcp://host:601 or tls://host:6514"),
        )
    })?;
    let (transport, default_port) = match url.scheme() {
        "udp" => (Transport::Udp, 514),
        "tcp" => (Transport::Tcp, 601),
        "tls" => (Transport::Tls, 6514),
        other => {
            return Err(ConfigError::new(
                FIELD,
                format!("scheme '{other}' is not supported; use udp://, tcp:// or tls://"),
            ))
        }
    };
    if !url.username().is_empty()
        || url.password().is_some()
        || !matches!(url.path(), "" | "/")
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(ConfigError::new(
            FIELD,
            "must be a scheme, a host and an optional port only (no user, path, query or fragment)",
        ));
    }
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h.trim_start_matches('[').trim_end_matches(']').to_owned(),
        _ => return Err(ConfigError::new(FIELD, "has no host")),
    };
    Ok(Target {
        transport,
        host,
        port: url.port().unwrap_or(default_port),
    })
}

/// A configured syslog destination.
pub struct Syslog {
    target: Target,
    tls: Option<tokio_rustls::TlsConnector>,
    slots: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Syslog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syslog")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Syslog {
    /// The destination `server`; for `tls://`, trusting `pins` (SHA-256, replacing chain and
    /// name checks) or the system roots plus `ca_file`. Reads the CA file now.
    pub fn new(server: &str, pins: &[String], ca_file: Option<&str>) -> Result<Self, ConfigError> {
        let target = parse_target(server)?;
        let tls = match target.transport {
            Transport::Tls => Some(tokio_rustls::TlsConnector::from(Arc::new(
                crate::tls::syslog_client_config(pins, ca_file)?,
            ))),
            _ => None,
        };
        Ok(Self {
            target,
            tls,
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
        })
    }

    /// The destination.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sends `messages` in order (one connection for them all) before `deadline`. `Ok` means
    /// every byte was handed to the network (TCP/TLS: written and the connection closed
    /// cleanly; UDP: each datagram sent, which proves no delivery).
    pub async fn send(
        &self,
        messages: &[String],
        deadline: tokio::time::Instant,
    ) -> Result<(), String> {
        let what = format!("syslog {}:{}", self.target.host, self.target.port);
        match tokio::time::timeout_at(deadline, self.send_now(messages)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("{what}: {e}")),
            Err(_) => Err(format!(
                "{what}: no delivery within the audit write's time limit"
            )),
        }
    }

    async fn send_now(&self, messages: &[String]) -> Result<(), String> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| "the sender is closed".to_string())?;
        let addrs: Vec<std::net::SocketAddr> =
            tokio::net::lookup_host((self.target.host.as_str(), self.target.port))
                .await
                .map_err(|e| format!("the name does not resolve ({e})"))?
                .collect();
        if addrs.is_empty() {
            return Err("the name resolves to no address".into());
        }
        if self.target.transport == Transport::Udp {
            let addr = addrs[0];
            let local: std::net::SocketAddr = if addr.is_ipv4() {
                ([0, 0, 0, 0], 0).into()
            } else {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            };
            let socket = tokio::net::UdpSocket::bind(local)
                .await
                .map_err(|e| format!("cannot open a UDP socket ({e})"))?;
            socket
                .connect(addr)
                .await
                .map_err(|e| format!("cannot address the server ({e})"))?;
            for m in messages {
                socket
                    .send(m.as_bytes())
                    .await
                    .map_err(|e| format!("sending failed ({e})"))?;
            }
            return Ok(());
        }
        let mut last = String::new();
        let mut stream = None;
        for addr in &addrs {
            match tokio::net::TcpStream::connect(addr).await {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = format!("cannot connect ({e})"),
            }
        }
        let stream = stream.ok_or(last)?;
        let _ = stream.set_nodelay(true);
        let mut framed = Vec::new();
        for m in messages {
            framed.extend_from_slice(format!("{} ", m.len()).as_bytes());
            framed.extend_from_slice(m.as_bytes());
        }
        match &self.tls {
            None => write_and_close(stream, &framed).await,
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(self.target.host.clone())
                    .map_err(|_| "the host is not a valid TLS server name".to_string())?;
                let stream = tls.connect(name, stream).await.map_err(|e| {
                    let described = e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                        .map(describe_tls);
                    match described {
                        Some(d) => format!("TLS failed: {d}"),
                        None => format!("TLS failed ({})", e.kind()),
                    }
                })?;
                write_and_close(stream, &framed).await
            }
        }
    }
}

/// A TLS failure in words; a pin mismatch names the syslog parameter.
fn describe_tls(e: &rustls::Error) -> String {
    if let rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) = e {
        if let Some(pin) = other.0.downcast_ref::<crate::tls::PinMismatch>() {
            return format!(
                "the server presented a certificate whose SHA-256 is {}, but -SyslogCertificateHash (syslogCertificateSha256) expects {}",
                pin.presented,
                pin.expected.join(" or ")
            );
        }
    }
    crate::tls::describe(e)
}

async fn write_and_close<S: tokio::io::AsyncWrite + Unpin>(
    mut s: S,
    bytes: &[u8],
) -> Result<(), String> {
    s.write_all(bytes)
        .await
        .map_err(|e| format!("sending failed ({e})"))?;
    s.flush()
        .await
        .map_err(|e| format!("sending failed ({e})"))?;
    s.shutdown()
        .await
        .map_err(|e| format!("closing the connection failed ({e})"))
}

/// A structured-data parameter value: `"`, `\` and `]` escaped with `\` (RFC 5424, 6.3.3).
fn param_value(v: &str, out: &mut String) {
    for c in v.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A PARAM-NAME or HOSTNAME: printable US-ASCII without `=`, space, `]`, `"`, at most `max`.
fn printable(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| (33..=126).contains(&b) && !matches!(b, b'=' | b']' | b'"'))
}

/// The RFC 5424 message for one audit line (see the module notes).
pub fn message(line: &str, entry: Entry, host: &str, unix_ms: u64) -> String {
    let pri = FACILITY * 8 + entry.syslog_severity();
    let host = if printable(host, 255) { host } else { "-" };
    let mut m = format!(
        "<{pri}>1 {} {host} MfaApproval {} {} [{SD_ID}",
        mfa_protocol::time::rfc3339_ms(unix_ms),
        std::process::id(),
        entry.msgid()
    );
    if let Ok(serde_json::Value::Object(members)) = serde_json::from_str::<serde_json::Value>(line)
    {
        for (k, v) in &members {
            if !printable(k, 32) {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(_) | serde_json::Value::Number(_) => v.to_string(),
                _ => continue,
            };
            m.push(' ');
            m.push_str(k);
            m.push_str("=\"");
            param_value(&text, &mut m);
            m.push('"');
        }
    }
    m.push_str("] \u{feff}");
    m.push_str(line);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;

    #[test]
    fn targets_default_their_ports_and_refuse_the_rest() {
        let t = parse_target("tls://siem.contoso.com").unwrap();
        assert_eq!(
            (t.transport, t.host.as_str(), t.port),
            (Transport::Tls, "siem.contoso.com", 6514)
        );
        assert_eq!(parse_target("udp://10.0.0.1").unwrap().port, 514);
        assert_eq!(parse_target("tcp://[::1]:1601").unwrap().host, "::1");
        for bad in [
            "http://x",
            "tcp://u:p@x",
            "tcp://x/path",
            "tcp://x?q",
            "udp://",
            "x:514",
            "tcp://x#f",
        ] {
            assert_eq!(
                parse_target(bad).unwrap_err().field,
                "syslogServer",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_message_is_rfc5424_with_the_line_as_is() {
        let line = r#"{"seq":3,"prev":"ab","status":"Approved","userName":"a\"]\\b","approvers":[{"x":1}],"context":{}}"#;
        let m = message(line, Entry::Record(Status::Approved), "mim01", 0);
        assert!(
            m.starts_with("<85>1 1970-01-01T00:00:00.000Z mim01 MfaApproval "),
            "{m}"
        );
        assert!(m.contains(" Approved [mfaApproval@32473 "), "{m}");
        assert!(
            m.contains(r#"seq="3""#) && m.contains(r#"userName="a\"\]\\b""#),
            "{m}"
        );
        assert!(!m.contains("approvers=") && !m.contains("context="), "{m}");
        assert!(m.ends_with(&format!("] \u{feff}{line}")));
        assert!(message(line, Entry::Header, "bad host", 0).contains(" - MfaApproval "));
    }
}
