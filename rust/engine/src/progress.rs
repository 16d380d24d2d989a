//! What a pending request is doing now, for the person waiting: the stage, the provider's
//! latest message, the code the user must type or pick (Duo Verified Push, Okta's number
//! challenge) and, for an approval, who answered, who is still waited on and how many
//! approvals are needed. Providers write their stage and message; the approval records
//! each approver's final answer; the end of the request ([`crate::Client::end_request`])
//! writes `done`, once. Hosts read it while the request is pending
//! (`mfa_request_progress`). Its text is bounded like every outcome message.

use crate::outcome::Outcome;
use crate::request::{Operation, Query};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Longest progress message kept (characters).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The stages, in the order a request goes through them (a provider may skip some:
/// MFA Server has no `checking` or `waiting`; only an approval that asks the provider who
/// its names are has `resolving`). `started` comes first, `done` last; the request's stage
/// never moves back.
pub const STAGES: &[&str] = &[
    "started",
    "resolving",
    "checking",
    "pushed",
    "waiting",
    "done",
];

fn rank(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

/// One approver's part of an approval's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApproverProgress {
    /// The approver, as the request names them.
    pub user_name: String,
    /// The latest stage this approver's push reached (`started`, `checking`, `pushed`,
    /// `waiting`); it never moves back.
    pub stage: String,
    /// The approver's final status (`Approved`, `Denied`, ...) once they answered, or once
    /// the request ended without their answer (`Cancelled`, `TimedOut`); absent before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The code this approver must type or pick, once their provider gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The latest status text about this approver (bounded).
    pub message: String,
}

/// A snapshot of a request's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// `started`, `resolving`, `checking`, `pushed`, `waiting` or `done` (empty before the
    /// request starts): the furthest stage any approver reached, then `done` once the request ended.
    pub stage: String,
    /// The latest status message (bounded); with several approvers it starts with the
    /// approver's name. At `done`, the outcome's message.
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
    /// An approval's approvers in request order, each with its stage, code and, once
    /// answered, status (absent for queries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<ApproverProgress>,
    /// Approvals needed to approve (an approval only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<u32>,
    /// How many approvers gave their final answer so far (an approval only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered: Option<u32>,
    /// The approvers still waited on, in request order (an approval only; empty at `done`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Vec<String>>,
}

impl Snapshot {
    fn approver_mut(&mut self, user_name: &str) -> Option<&mut ApproverProgress> {
        self.approvers.iter_mut().find(|a| a.user_name == user_name)
    }

    fn recount(&mut self) {
        if self.approvers.is_empty() {
            return;
        }
        let answered = self.approvers.iter().filter(|a| a.status.is_some()).count();
        self.answered = Some(answered as u32);
        self.pending = Some(
            self.approvers
                .iter()
                .filter(|a| a.status.is_none())
                .map(|a| a.user_name.clone())
                .collect(),
        );
    }

    /// Moves the request's stage forward to `stage` (never back; never to `done`, which
    /// only [`Progress::finish`] writes).
    fn advance(&mut self, stage: &str) -> bool {
        let forward = match (rank(stage), rank(&self.stage)) {
            (Some(new), Some(old)) => new > old,
            (Some(_), None) => self.stage.is_empty() || !STAGES.contains(&self.stage.as_str()),
            (None, _) => false,
        };
        if forward {
            self.stage = stage.to_owned();
            if self.stages.len() < STAGES.len() {
                self.stages.push(stage.to_owned());
            }
        }
        forward
    }
}

/// A shared progress slot; cloning shares it. A view for one approver
/// ([`Progress::for_approver`]) writes into the same slot and files its stage, message and
/// code under the approver's name.
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The request started (hosts call it before the provider runs, so `started` is the
    /// first stage a reader sees).
    pub fn start(&self) {
        let mut s = self.lock();
        if s.stage.is_empty() {
            s.advance("started");
            s.message = "the request started".to_owned();
            s.updates += 1;
        }
    }

    /// [`Progress::start`] for `query`; for an approval also lists its approvers (each
    /// pending) and the approvals needed, so a reader counts right from the first read.
    pub fn start_for(&self, query: &Query) {
        self.start();
        if query.operation != Operation::Authenticate {
            return;
        }
        let names = query.approver_names();
        let Ok(require) =
            crate::approvers::Require::parse(query.require.as_ref(), names.len().max(1))
        else {
            return;
        };
        let mut s = self.lock();
        if !s.approvers.is_empty() || s.stage == "done" || names.is_empty() {
            return;
        }
        s.approvers = names
            .iter()
            .map(|n| ApproverProgress {
                user_name: (*n).to_owned(),
                stage: "started".to_owned(),
                ..ApproverProgress::default()
            })
            .collect();
        s.needed = Some(require.needed(names.len()) as u32);
        s.recount();
        s.updates += 1;
    }

    /// Records approver `user_name`'s final answer (the approval calls it as each answer
    /// arrives, before deciding): counted as answered, no longer pending.
    pub(crate) fn answered(&self, user_name: &str, status: &str) {
        let mut s = self.lock();
        if s.stage == "done" {
            return;
        }
        let several = s.approvers.len() > 1;
        let Some(a) = s.approver_mut(user_name) else {
            return;
        };
        if a.status.is_some() {
            return;
        }
        a.status = Some(status.to_owned());
        s.recount();
        if several {
            let pending = s.pending.clone().unwrap_or_default();
            let answered = s.answered.unwrap_or_default();
            let mut message = format!(
                "{user_name}: {status}; {answered} of {} answered",
                s.approvers.len()
            );
            if !pending.is_empty() {
                message.push_str(&format!("; waiting for {}", pending.join(", ")));
            }
            s.message = crate::redact::bound(&message, MAX_MESSAGE_CHARS);
        }
        s.updates += 1;
    }

    /// The request ended with `outcome`: the last stage, `done`, with the outcome's message;
    /// each approver not yet answered gets their final status from the outcome (Cancelled,
    /// TimedOut), so nobody is pending any more. Written once: later calls, and every
    /// later write, change nothing. Only [`crate::Client::end_request`] calls it.
    pub(crate) fn finish(&self, outcome: &Outcome) {
        let mut s = self.lock();
        if s.stage == "done" {
            return;
        }
        for each in &outcome.approvers {
            if let Some(a) = s.approver_mut(&each.user_name) {
                if a.status.is_none() {
                    a.status = Some(each.status.name().to_owned());
                }
                a.message = crate::redact::bound(&each.message, MAX_MESSAGE_CHARS);
            }
        }
        let unanswered: Vec<String> = s
            .approvers
            .iter()
            .filter(|a| a.status.is_none())
            .map(|a| a.user_name.clone())
            .collect();
        // Not in the outcome (it ended before the approval began): not needed any more
        // when it was approved, else the request's own status.
        let status = if outcome.approved {
            crate::outcome::Status::Cancelled.name()
        } else {
            outcome.status.name()
        };
        for name in unanswered {
            if let Some(a) = s.approver_mut(&name) {
                a.status = Some(status.to_owned());
            }
        }
        s.recount();
        s.stage = "done".to_owned();
        s.stages.push("done".to_owned());
        s.message = crate::redact::bound(&outcome.message, MAX_MESSAGE_CHARS);
        s.updates += 1;
    }

    /// Records a new stage and message from a provider; a `code` once seen is kept. The
    /// stage only moves forward, and `done` is refused: the end of the request writes it.
    /// An approver's writes after their answer counted, and every write after `done`,
    /// change nothing.
    pub fn set(&self, stage: &str, message: &str, code: Option<String>) {
        let mut s = self.lock();
        if s.stage == "done" || stage == "done" || rank(stage).is_none() {
            return;
        }
        let bounded = crate::redact::bound(message, MAX_MESSAGE_CHARS);
        let several = s.approvers.len() > 1;
        let mut changed = false;
        // Whether this write says something new about its approver: only then does the
        // request's message follow it (a provider repeating itself while it polls does
        // not hide another approver's answer).
        let mut news = true;
        if let Some(user) = &self.approver {
            if let Some(a) = s.approver_mut(user) {
                if a.status.is_some() {
                    return;
                }
                let mut mine = false;
                if rank(stage) > rank(&a.stage) {
                    a.stage = stage.to_owned();
                    mine = true;
                }
                if a.message != bounded {
                    a.message = bounded.clone();
                    mine = true;
                }
                if a.code.is_none() && code.is_some() {
                    a.code = code.clone();
                    mine = true;
                }
                news = mine;
                changed = mine;
            }
            if let Some(c) = &code {
                if s.codes.get(user.as_ref()) != Some(c) {
                    s.codes.insert(user.to_string(), c.clone());
                    changed = true;
                }
            }
        }
        changed |= s.advance(stage);
        if news {
            let message = match (&self.approver, several) {
                (Some(user), true) => {
                    crate::redact::bound(&format!("{user}: {message}"), MAX_MESSAGE_CHARS)
                }
                _ => bounded,
            };
            if s.message != message {
                s.message = message;
                changed = true;
            }
        }
        if s.code.is_none() && code.is_some() {
            s.code = code;
            changed = true;
        }
        if changed {
            s.updates += 1;
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests;
