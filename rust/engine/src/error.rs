//! One internal error type for the providers' calls ([`Error`]), as reqwest's: opaque, asked
//! what it is ([`Error::kind`], [`Error::is_timeout`], [`Error::status`] ...), its cause kept
//! ([`std::error::Error::source`]), and a message that is already redacted (its maker runs
//! server text through the connection's redactor) and is bounded here, after that
//! redaction. The failure kind of an outcome comes from it in one place
//! ([`Error::outcome_status`]): a timeout is `TimedOut`, anything else `Failed`; never an
//! approval.

use crate::failure::FailureKind;
use crate::outcome::Status;

/// The longest message an error keeps (characters; the message was redacted first).
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A failed call.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: FailureKind,
    message: String,
    status: Option<u16>,
    code: Option<i64>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` saying `message` (already redacted; bounded here).
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: crate::redact::bound(&message.into(), MAX_MESSAGE_CHARS),
                status: None,
                code: None,
                source: None,
            }),
        }
    }

    /// The HTTP status the server answered with.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// The provider's own error code (where the provider's answer carries one, e.g. `result.error.code`).
    pub fn with_code(mut self, code: Option<i64>) -> Self {
        self.inner.code = code;
        self
    }

    /// The cause (kept for `source()`, never shown).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The message rewritten by `f` (adding a next step, a prefix), bounded again.
    pub fn map_message(mut self, f: impl FnOnce(String) -> String) -> Self {
        let message = std::mem::take(&mut self.inner.message);
        self.inner.message = crate::redact::bound(&f(message), MAX_MESSAGE_CHARS);
        self
    }

    /// What kind of failure.
    pub fn kind(&self) -> FailureKind {
        self.inner.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The provider's error code, when it sent one.
    pub fn code(&self) -> Option<i64> {
        self.inner.code
    }

    /// The message (redacted, bounded).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The message, taken.
    pub fn into_message(self) -> String {
        self.inner.message
    }

    /// No answer in time.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == FailureKind::Timeout
    }

    /// The credentials were refused (401, 403, a refused sign-in).
    pub fn is_authentication(&self) -> bool {
        self.inner.kind == FailureKind::Authentication
    }

    /// The status of an outcome this error ends: `TimedOut` for a timeout, else `Failed`.
    pub fn outcome_status(&self) -> Status {
        if self.is_timeout() {
            Status::TimedOut
        } else {
            Status::Failed
        }
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("status", &self.inner.status)
            .field("code", &self.inner.code)
            .field("message", &self.inner.message)
            .finish()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_answers_what_it_is_and_keeps_its_cause() {
        let e = Error::new(FailureKind::Timeout, "poll: no answer within 5 s");
        assert!(e.is_timeout() && !e.is_authentication());
        assert_eq!(e.outcome_status(), Status::TimedOut);
        let io = std::io::Error::other("reset");
        let e = Error::new(FailureKind::Authentication, "auth: HTTP 401")
            .with_status(401)
            .with_code(Some(4031))
            .with_source(io);
        assert!(e.is_authentication() && !e.is_timeout());
        assert_eq!((e.status(), e.code()), (Some(401), Some(4031)));
        assert_eq!(e.outcome_status(), Status::Failed);
        assert_eq!(
            std::error::Error::source(&e).map(|s| s.to_string()),
            Some("reset".into())
        );
        assert_eq!(e.to_string(), "auth: HTTP 401");
    }

    #[test]
    fn messages_are_bounded_whatever_is_added() {
        let long = "x".repeat(MAX_MESSAGE_CHARS * 2);
        let e = Error::new(FailureKind::HttpStatus, long.clone());
        assert!(e.message().chars().count() <= MAX_MESSAGE_CHARS + 3);
        let e = e.map_message(|m| format!("{m}{long}"));
        assert!(e.message().chars().count() <= MAX_MESSAGE_CHARS + 3);
    }
}
