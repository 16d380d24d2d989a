//! The audit trail: every finished request as one JSON record, written by the engine so
//! every host of the C ABI gets it, to a file the connection names (`auditPath`), a syslog
//! server (`syslogServer`) and the Windows Event Log (`eventLog`, through a host's
//! [`event::EventSink`]).
//!
//! A record holds who, what, for which workflow, and how it ended: UTC time, engine
//! version, host and process, provider, operation, user, application name and push
//! context, the provider's request id, status, codes, failure kind, duration, HTTP calls;
//! for approvals, each approver's identity as the provider resolved it and how people
//! were told apart (`identityCheck`).
//! Never a secret, never server text (no messages, no descriptions).
//!
//! Records are hash-chained ([`chain`]): each line carries its sequence number and the
//! SHA-256 of the line before it, and with an audit key an HMAC-SHA256; a file starts with
//! a header record. [`file`] extends one chain from many processes under a file lock;
//! [`verify`] checks a file; [`syslog`] ships each line as RFC 5424; [`config`] checks the
//! settings; [`event`] decides the Event Log ids and syslog severities.

pub mod chain;
pub mod config;
pub mod event;
pub mod file;
mod path;
mod strict;
pub mod syslog;
pub mod verify;
mod write;

pub use path::check_path;
use write::now_unix_ms;
pub use write::{Audit, Sinks, Written, AUDIT_FIRST_PASS, AUDIT_WRITE_BOUND};

use crate::check::ConfigError;
use crate::outcome::Outcome;
use crate::request::Query;
use event::EventSink;
use serde_json::json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Longest audit line written (bytes); longer context values are cut.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// This machine's name (no `unsafe`: the kernel's file on Linux, the environment elsewhere).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default()
}

impl Audit {
    /// The audit trail `config` asks for (`None` without a file, a syslog server or the
    /// Event Log). The folder of `auditPath` must exist, and the path, when it exists, must
    /// be a regular file (not a FIFO, device, folder or symbolic link: a write there could
    /// block or land elsewhere). A syslog CA file is read now.
    pub fn from_config(
        config: &crate::config::ClientConfig,
        secrets: &crate::config::Secrets,
        events: Option<Arc<dyn EventSink>>,
    ) -> Result<Option<Self>, ConfigError> {
        if config.audit_path.is_none() && config.syslog_server.is_none() && !config.event_log {
            return Ok(None);
        }
        config::validate(config, secrets)?;
        let file = match &config.audit_path {
            Some(p) => Some(file::FileTrail::new(Self::checked_path(p)?)),
            None => None,
        };
        let syslog = match &config.syslog_server {
            Some(server) => Some(syslog::Syslog::new(
                server,
                &config.syslog_certificate_sha256,
                config.syslog_ca_certificate_file.as_deref(),
            )?),
            None => None,
        };
        let events = match (config.event_log, events) {
            (false, _) => None,
            (true, Some(sink)) => Some(sink),
            (true, None) => {
                return Err(ConfigError::new(
                    "eventLog",
                    "needs the Event Log writer of the C ABI library (mfa_approval.dll); this host built the engine without one",
                ))
            }
        };
        Ok(Some(Self {
            host: host_name(),
            file,
            syslog,
            events,
            key: secrets
                .audit_key
                .as_ref()
                .map(|k| chain::Key::new(k.as_bytes())),
            required: config::required(config)?,
            memory: Mutex::new(None),
        }))
    }

    /// `path` checked as an audit file (and its lock file beside it): see
    /// [`Audit::from_config`].
    fn checked_path(path: &str) -> Result<PathBuf, ConfigError> {
        check_path(path)?;
        let path = PathBuf::from(path);
        let lock = file::FileTrail::new(path.clone()).lock_path().to_path_buf();
        for (p, whose) in [
            (&path, String::new()),
            (&lock, format!(" (its lock file {})", lock.display())),
        ] {
            if let Ok(meta) = std::fs::symlink_metadata(p) {
                if !meta.file_type().is_file() {
                    let what = path::describe(&meta.file_type());
                    return Err(ConfigError::new(
                        "auditPath",
                        format!("exists and is {what}, not a regular file{whose}; name a regular file (or a new file in an existing folder)"),
                    ));
                }
            }
        }
        match path.parent() {
            Some(dir) if dir.is_dir() => {}
            _ => {
                return Err(ConfigError::new(
                    "auditPath",
                    "its folder does not exist (create it, and let the account running the approvals write to it)",
                ))
            }
        }
        Ok(path)
    }

    /// A new record id: 16 random bytes as hex.
    pub fn new_id() -> String {
        let mut bytes = [0u8; 16];
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The record for a finished request, as one line (no newline inside, `\n` at the end).
    pub fn line(&self, query: &Query, outcome: &Outcome) -> String {
        let time = mfa_protocol::time::rfc3339_ms(outcome.started_at_unix_ms + outcome.elapsed_ms);
        let cut = |s: &str| crate::redact::bound(s, 256);
        let context: serde_json::Map<String, serde_json::Value> = query
            .push_info
            .iter()
            .flatten()
            .take(32)
            .map(|(k, v)| (cut(k), json!(cut(v))))
            .collect();
        let record = json!({
            "time": time,
            "id": outcome.audit_id,
            "engine": env!("CARGO_PKG_VERSION"),
            "host": cut(&self.host),
            "pid": std::process::id(),
            "provider": outcome.provider,
            "operation": outcome.operation,
            "userName": cut(&outcome.user_name),
            "applicationName": query.application_name.as_deref().map(cut),
            "reason": query.push_type.as_deref().map(cut),
            "context": context,
            "requestId": outcome.authentication_request_id.as_deref().map(cut),
            "status": outcome.status,
            "approved": outcome.approved,
            "callResult": outcome.call_result.as_ref().map(|c| c.code),
            "errorCode": outcome.error.as_ref().map(|c| c.code),
            "failureKind": if outcome.approved { None } else { Some(outcome.failure_kind) },
            "elapsedMs": outcome.elapsed_ms,
            "httpCalls": outcome.http_calls,
            "require": outcome.require,
            "needed": outcome.needed,
            "decidedBy": outcome.decided_by.as_deref().map(cut),
            "identityCheck": outcome.identity_check,
            "pushWithdrawn": outcome.push_withdrawn,
            "approvers": outcome.approvers.iter().map(|a| json!({
                "userName": cut(&a.user_name),
                "status": a.status,
                "approved": a.approved,
                "requestId": a.authentication_request_id.as_deref().map(cut),
                "callResult": a.call_result.as_ref().map(|c| c.code),
                "failureKind": if a.approved { None } else { Some(a.failure_kind) },
                "elapsedMs": a.elapsed_ms,
                "identity": a.identity.as_deref().map(cut),
                "pushWithdrawn": a.push_withdrawn,
            })).collect::<Vec<_>>(),
        });
        let mut line = escape_invisible(&record.to_string());
        if line.len() > MAX_LINE_BYTES {
            // Only an oversized context can do this: drop it rather than tear the line.
            let mut smaller = record;
            smaller["context"] = json!({ "omitted": "context too large for one audit line" });
            line = escape_invisible(&smaller.to_string());
        }
        line.push('\n');
        line
    }

    /// The header record that starts a chain: format, engine version, host, process,
    /// time, the key id (with an audit key) and, after a broken file, which file and why.
    fn header(&self, broken: Option<&file::Broken>) -> String {
        let cut = |s: &str| crate::redact::bound(s, 256);
        let mut h = json!({
            "type": "header",
            "format": chain::FORMAT,
            "engine": env!("CARGO_PKG_VERSION"),
            "host": cut(&self.host),
            "pid": std::process::id(),
            "time": mfa_protocol::time::rfc3339_ms(now_unix_ms()),
            "keyId": self.key.as_ref().map(|k| k.id().to_owned()),
        });
        if let Some(b) = broken {
            h["brokenFile"] = json!(cut(&b.moved_to));
            h["brokenReason"] = json!(cut(&b.reason));
        }
        escape_invisible(&h.to_string())
    }
}

/// Escapes the characters a JSON encoder may leave raw but that break or disguise a line
/// in viewers: U+2028/U+2029 (line and paragraph separators) and the bidi controls
/// (U+200E/F, U+202A-202E, U+2066-2069). They only occur inside JSON strings, where
/// `\uXXXX` means the same character.
pub fn escape_invisible(line: &str) -> String {
    let risky = |c: char| matches!(c as u32, 0x200E | 0x200F | 0x2028 | 0x2029 | 0x202A..=0x202E | 0x2066..=0x2069);
    if !line.chars().any(risky) {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
