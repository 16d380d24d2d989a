//! What a pending request is doing now, for the person waiting: the stage, the provider's
//! latest message and, for Duo Verified Push, the code the user must type. Providers write
//! it; hosts read it while the request is pending (`mfa_request_progress`). Its text is
//! bounded and scrubbed like every outcome message.

use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Longest progress message kept (characters).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The stages, in the order a request goes through them (a provider may skip some:
/// MFA Server has no `checking` or `waiting`). `started` comes first, `done` last.
pub const STAGES: &[&str] = &["started", "checking", "pushed", "waiting", "done"];

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
    /// Every stage reached so far, in order (each once): the sequence a reader that
    /// polls slowly would otherwise miss.
    pub stages: Vec<String>,
}

/// A shared progress slot; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<Snapshot>>);

impl Progress {
    /// The request started (hosts call it before the provider runs, so `started` is the
    /// first stage a reader sees).
    pub fn start(&self) {
        self.set("started", "the request started", None);
    }

    /// The request ended with `message` (its outcome's message): the last stage; later
    /// writes (a provider cancelled mid-way) are ignored.
    pub fn finish(&self, message: &str) {
        self.set("done", message, None);
    }

    /// Records a new stage and message; a `code` once seen is kept. Nothing changes after
    /// `done`.
    pub fn set(&self, stage: &str, message: &str, code: Option<String>) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if s.stage == "done" || (stage == "started" && !s.stage.is_empty()) {
            return;
        }
        let message = crate::redact::bound(message, MAX_MESSAGE_CHARS);
        let code = code.or_else(|| s.code.clone());
        if s.stage != stage || s.message != message || s.code != code {
            if s.stage != stage && s.stages.len() < 2 * STAGES.len() {
                s.stages.push(stage.to_owned());
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_comes_first_and_done_stays_last() {
        let p = Progress::default();
        assert_eq!(p.snapshot().stage, "");
        p.start();
        p.set("pushed", "a push", None);
        p.start();
        assert_eq!(p.snapshot().stage, "pushed", "started never comes back");
        p.finish("approved");
        p.set("waiting", "late", None);
        let s = p.snapshot();
        assert_eq!((s.stage.as_str(), s.message.as_str()), ("done", "approved"));
        assert_eq!(s.updates, 3);
        assert_eq!(s.stages, ["started", "pushed", "done"]);
    }
}
