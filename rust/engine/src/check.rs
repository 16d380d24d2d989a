//! The checks every configuration and request field goes through, and the error that
//! names the field. A leaf: the modules that own fields (configuration, proxy, Duo, audit,
//! request) call these; nothing here calls them.

use std::time::Duration;

/// A configuration problem: which field, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// The field (JSON name), e.g. `uri` or `serverCertificateSha256[1]`.
    pub field: String,
    /// What was wrong with it.
    pub problem: String,
}

impl ConfigError {
    /// Makes an error for `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Largest length, in characters, accepted for user names, application names and the
/// like (Windows UPNs are at most 256 characters).
pub const MAX_NAME_CHARS: usize = 256;

/// Checks a free-text value that goes on the wire: not empty (when `required`), at most
/// [`MAX_NAME_CHARS`] characters, no control characters (XML 1.0 cannot carry most of them).
pub fn check_text(field: &str, value: &str, required: bool) -> Result<(), ConfigError> {
    if required && value.trim().is_empty() {
        return Err(ConfigError::new(field, "must not be empty or blank"));
    }
    let n = value.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(ConfigError::new(
            field,
            format!("is {n} characters long; at most {MAX_NAME_CHARS} are allowed"),
        ));
    }
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(ConfigError::new(
            field,
            format!(
                "contains control character U+{:04X} at position {i}",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// Parses a SHA-256 fingerprint written as hex, with optional `:`/space/`-` separators.
pub fn parse_fingerprint(field: &str, text: &str) -> Result<[u8; 32], ConfigError> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ConfigError::new(
            field,
            format!("must be a SHA-256 fingerprint: 64 hex digits (got {} characters after removing separators)", hex.len()),
        ));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("checked hex");
    }
    Ok(out)
}

/// The largest number of seconds any timeout may be (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// Per-call timeouts must be positive, finite and at most [`MAX_SECONDS`].
pub fn check_seconds(field: &str, seconds: f64) -> Result<Duration, ConfigError> {
    if !seconds.is_finite() || seconds <= 0.0 || seconds > MAX_SECONDS {
        return Err(ConfigError::new(
            field,
            format!(
                "must be a number of seconds above 0 and at most {MAX_SECONDS} (got {seconds})"
            ),
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}
