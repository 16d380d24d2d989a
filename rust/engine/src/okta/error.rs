//! A failed Okta call ([`CallError`]): a leaf that both the calls (`api`) and the
//! credential (`auth`, which `api` carries) use, so neither imports the other to name it.

use crate::outcome::FailureKind;

/// A failed call: the kind, a message (never a secret; Okta's `errorCode` and
/// `errorSummary` bounded and redacted) and the HTTP status when the server answered.
#[derive(Debug, Clone)]
pub struct CallError {
    /// What kind of failure.
    pub kind: FailureKind,
    /// A sentence.
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl CallError {
    /// A failure that is not an HTTP answer.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
        }
    }
}
