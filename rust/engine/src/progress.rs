//! What a pending request is doing now, for the person waiting: the stage, the provider's
//! latest message and, for Duo Verified Push, the code the user must type. Providers write
//! it; hosts read it while the request is pending (`mfa_request_progress`). Its text is
//! bounded and scrubbed like every outcome message.

use serde::Serialize;
use std::collections::BTreeMap;
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
    /// A code the user must enter on their device (Duo Verified Push, Okta's number
    /// challenge), when there is one: the first one seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Each approver's code, by user name, in an approval with several approvers (each
    /// approver gets a push of their own, with a code of its own).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
    /// How many times the progress changed (hosts show a change once).
    pub updates: u64,
    /// Every stage reached so far, in order (each once): the sequence a reader that
    /// polls slowly would otherwise miss.
    pub stages: Vec<String>,
}

/// A shared progress slot; cloning shares it. A view for one approver
/// ([`Progress::for_approver`]) writes into the same slot and files its code under the
/// approver's name.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    slot: Arc<Mutex<Snapshot>>,
    approver: Option<Arc<str>>,
}

impl Progress {
    /// A view of this slot for the approver `user_name` (the approval gives one to each
    /// approver's provider run).
    pub fn for_approver(&self, user_name: &str) -> Progress {
        Progress {
            slot: self.slot.clone(),
            approver: Some(user_name.into()),
        }
    }

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
        let mut s = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if s.stage == "done" || (stage == "started" && !s.stage.is_empty()) {
            return;
        }
        let message = crate::redact::bound(message, MAX_MESSAGE_CHARS);
        let mut changed = false;
        if let (Some(user), Some(c)) = (&self.approver, &code) {
            if s.codes.get(user.as_ref()) != Some(c) {
                s.codes.insert(user.to_string(), c.clone());
                changed = true;
            }
        }
        let code = s.code.clone().or(code);
        if changed || s.stage != stage || s.message != message || s.code != code {
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
        self.slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_approver_keeps_a_code_of_its_own() {
        let p = Progress::default();
        p.start();
        p.for_approver("alice@contoso.com")
            .set("pushed", "pushed", Some("111111".into()));
        p.for_approver("victor@contoso.com")
            .set("pushed", "pushed", Some("222222".into()));
        p.for_approver("alice@contoso.com")
            .set("waiting", "waiting", None);
        let s = p.snapshot();
        assert_eq!(
            s.code.as_deref(),
            Some("111111"),
            "the first code stays the code"
        );
        assert_eq!(s.codes.len(), 2);
        assert_eq!(s.codes["alice@contoso.com"], "111111");
        assert_eq!(s.codes["victor@contoso.com"], "222222");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["codes"]["victor@contoso.com"], "222222");
        assert!(serde_json::to_value(Progress::default().snapshot()).unwrap()["codes"].is_null());
    }

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
