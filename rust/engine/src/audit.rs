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
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// How long a request waits for its audit line past its own deadline. A write that does
/// not finish in time (a hung file system) counts as not written: an approval is then
/// not granted.
pub const AUDIT_WRITE_BOUND: std::time::Duration = std::time::Duration::from_secs(2);

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
    /// An audit trail at `path`; its folder must exist, and the path, when it exists,
    /// must be a regular file (not a FIFO, device, folder or symbolic link: a write there
    /// could block or land elsewhere).
    pub fn new(path: &str) -> Result<Self, ConfigError> {
        check_path(path)?;
        let path = PathBuf::from(path);
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            if !meta.file_type().is_file() {
                let what = describe(&meta.file_type());
                return Err(ConfigError::new(
                    "auditPath",
                    format!("exists and is {what}, not a regular file; name a regular file (or a new file in an existing folder)"),
                ));
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
            "require": outcome.require,
            "needed": outcome.needed,
            "decidedBy": outcome.decided_by.as_deref().map(cut),
            "pushWithdrawn": outcome.push_withdrawn,
            "approvers": outcome.approvers.iter().map(|a| json!({
                "userName": cut(&a.user_name),
                "status": a.status,
                "approved": a.approved,
                "requestId": a.authentication_request_id.as_deref().map(cut),
                "callResult": a.call_result.as_ref().map(|c| c.code),
                "failureKind": if a.approved { None } else { Some(a.failure_kind) },
                "elapsedMs": a.elapsed_ms,
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

    /// Appends one line with one write on a file opened for appending (created if
    /// missing), never following a symbolic link and never waiting on a FIFO or device
    /// (non-blocking open), and only when what was opened is a regular file.
    pub fn append(&self, line: &str) -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
        }
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt as _;
            /// FILE_FLAG_OPEN_REPARSE_POINT: open a link itself, not its target.
            const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
            options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        }
        let mut file = options.open(&self.path).map_err(|e| {
            if e.raw_os_error() == Some(symlink_error()) {
                std::io::Error::other("the audit path is a symbolic link; refusing to follow it")
            } else {
                e
            }
        })?;
        let kind = file.metadata()?.file_type();
        if !kind.is_file() {
            return Err(std::io::Error::other(format!(
                "the audit path is {}, not a regular file",
                describe(&kind)
            )));
        }
        file.write_all(line.as_bytes())
    }
}

/// The error `open` gives for a link it refused to follow (ELOOP on Unix).
fn symlink_error() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// What a non-regular file is, in words.
fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
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
