//! The audit trail: every finished request as one JSON line appended to a file the
//! connection names (`auditPath`). Written by the engine, so every host of the C ABI gets
//! it. One whole line per write on a file opened for appending: many processes can share
//! one file (MIM runs each workflow's approval in its own child) without tearing lines, and
//! renaming the file to rotate it is safe (the next write creates a new one).
//!
//! A record holds who, what, for which workflow, and how it ended: UTC time, engine
//! version, host and process, provider, operation, user, application name and push
//! context, the provider's request id, status, codes, failure kind, duration, HTTP calls.
//! Never a secret, never server text (no messages, no descriptions).

use crate::check::ConfigError;
use crate::outcome::Outcome;
use crate::request::Query;
use serde_json::json;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Longest audit line written (bytes); longer context values are cut.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// Where and how records are written.
#[derive(Debug)]
pub struct Audit {
    path: PathBuf,
    host: String,
}

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

/// Checks `auditPath` without touching the file system: an absolute path.
pub fn check_path(path: &str) -> Result<(), ConfigError> {
    crate::check::check_text("auditPath", path, true)?;
    if !Path::new(path).is_absolute() {
        return Err(ConfigError::new(
            "auditPath",
            "must be an absolute path (a service's working directory is not yours)",
        ));
    }
    Ok(())
}

impl Audit {
    /// An audit trail at `path`; its folder must exist.
    pub fn new(path: &str) -> Result<Self, ConfigError> {
        check_path(path)?;
        let path = PathBuf::from(path);
        match path.parent() {
            Some(dir) if dir.is_dir() => {}
            _ => {
                return Err(ConfigError::new(
                    "auditPath",
                    "its folder does not exist (create it, and let the account running the approvals write to it)",
                ))
            }
        }
        Ok(Self {
            path,
            host: host_name(),
        })
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
        });
        let mut line = record.to_string();
        if line.len() > MAX_LINE_BYTES {
            // Only an oversized context can do this: drop it rather than tear the line.
            let mut smaller = record;
            smaller["context"] = json!({ "omitted": "context too large for one audit line" });
            line = smaller.to_string();
        }
        line.push('\n');
        line
    }

    /// Appends one line with one write on a file opened for appending (created if missing).
    pub fn append(&self, line: &str) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(line.as_bytes())
    }
}
