//! What a pending request is doing now, for the person waiting: the stage, the provider's
//! latest message and, for Duo Verified Push, the code the user must type. Providers write
//! it; hosts read it while the request is pending (`mfa_request_progress`). Its text is
//! bounded and scrubbed like every outcome message.

use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Longest progress message kept (characters).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// A snapshot of a request's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// `started`, `checking`, `pushed`, `waiting` or `done` (empty before the provider starts).
    pub stage: String,
    /// The provider's latest status message (bounded, scrubbed).
    pub message: String,
    /// A code the user must enter on their device (Duo Verified Push), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// How many times the progress changed (hosts show a change once).
    pub updates: u64,
}

/// A shared progress slot; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<Snapshot>>);

impl Progress {
    /// Records a new stage and message; a `code` once seen is kept.
    pub fn set(&self, stage: &str, message: &str, code: Option<String>) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let message = crate::redact::bound(message, MAX_MESSAGE_CHARS);
        let code = code.or_else(|| s.code.clone());
        if s.stage != stage || s.message != message || s.code != code {
            s.stage = stage.to_owned();
            s.message = message;
            s.code = code;
            s.updates += 1;
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
