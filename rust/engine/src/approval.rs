//! Approvals, decided once, here: one or more approvers (distinct people), how many
//! approvals decide it (`require`: any, all or N), identities that may not approve, one
//! deadline. Every approval goes through this path, a single user too (one approver,
//! require any), so there is one decision for every host of the engine.
//!
//! - **Identity**: names are compared after trimming, NFKC normalisation and case
//!   folding, as account names (`alice@contoso.com`, `CONTOSO\alice` and `alice` are one
//!   account name: a provider may resolve them to one user), and by their look-alike
//!   skeleton (Unicode TS #39: a Cyrillic `е` is a Latin `e`); names with invisible format
//!   characters (zero-width, bidi controls, fillers, variation selectors) are refused. A
//!   duplicate approver, or an approver on the exclude list, is refused before anything is
//!   sent, naming both spellings. Two different people who share an account name in
//!   different domains cannot be approvers of one request (fail closed).
//! - **Decision** ([`Quorum`]): a fraud report from anyone ends it as `FraudReported`;
//!   enough approvals end it as `Approved`; an answer that makes the quorum impossible
//!   ends it with that answer's status. Only an approval the engine decided (the provider's
//!   answer went through the engine's decision table) counts. Whoever has not answered
//!   when it is decided is cancelled at once (their HTTP calls are dropped), and a push
//!   left waiting is withdrawn where the provider can (`crate::withdraw`): the outcome
//!   says whether it was (`pushWithdrawn`).

use crate::check::ConfigError;
use crate::identity::Identity;
use crate::outcome::{ApproverOutcome, FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::Provider;
use crate::request::Query;
use crate::withdraw::{WithdrawSlot, Withdrawals};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

pub use crate::approvers::{
    check_name, identity, is_format_char, person_key, Require, MAX_APPROVERS,
};

/// Checks an approval request's approvers, require and exclude list (every rule that can
/// be checked before anything is sent: [`crate::approvers::check`]).
pub fn check(query: &Query) -> Result<(), ConfigError> {
    crate::approvers::check(query.approval_fields())
}

/// The quorum of one request: fed each approver's final answer, it says when the request
/// is decided, with which status and by whom. Fail closed.
#[derive(Debug, Clone)]
pub struct Quorum {
    needed: usize,
    total: usize,
    approvals: usize,
    finished: usize,
    decision: Option<(Status, Option<usize>)>,
}

impl Quorum {
    /// A quorum needing `needed` approvals of `total` approvers.
    pub fn new(needed: usize, total: usize) -> Self {
        Self {
            needed: needed.clamp(1, total.max(1)),
            total,
            approvals: 0,
            finished: 0,
            decision: None,
        }
    }

    /// The decision, once there is one: the status and the index of the approver whose
    /// answer decided it.
    pub fn decision(&self) -> Option<(Status, Option<usize>)> {
        self.decision
    }

    /// Approvals needed.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// Records approver `index`'s final answer; returns the decision once there is one
    /// (answers after it change nothing).
    pub fn add(&mut self, index: usize, answer: &Outcome) -> Option<(Status, Option<usize>)> {
        self.finished += 1;
        if self.decision.is_some() {
            return self.decision;
        }
        if answer.status == Status::FraudReported {
            self.decision = Some((Status::FraudReported, Some(index)));
        } else if answer.is_engine_approval() {
            self.approvals += 1;
            if self.approvals >= self.needed {
                self.decision = Some((Status::Approved, Some(index)));
            }
        } else if self.approvals + (self.total - self.finished.min(self.total)) < self.needed {
            let status = match answer.status {
                Status::Approved | Status::Completed => Status::Failed,
                s => s,
            };
            self.decision = Some((status, Some(index)));
        }
        self.decision
    }
}

/// The message of an answer that said Approved without the engine's decision.
const FORGED_MESSAGE: &str =
    "the provider's answer said Approved, but the engine did not decide it; not an approval";

/// How an approval tells people apart: `provider` when the provider resolves identities,
/// else `names` (see [`resolve`]).
pub(crate) fn identity_check(provider: &dyn Provider) -> &'static str {
    if provider.resolves_identity() {
        resolve::BY_PROVIDER
    } else {
        resolve::BY_NAMES
    }
}

/// Runs an approval (`query` validated) on `provider`: who is who first (a four-eyes
/// request on a provider that resolves identities: see [`resolve`]), then one provider run
/// per approver, all at once, under the query's one deadline; decides by quorum, cancels
/// the rest, returns one outcome. `blank` makes a not-yet-decided outcome for a user name;
/// `allow_name_only` is the connection's `allowNameOnlyIdentity`.
pub(crate) async fn run(
    provider: &dyn Provider,
    query: &Query,
    progress: &Progress,
    withdrawals: &Withdrawals,
    blank: &(dyn Fn(&str) -> Outcome + Sync),
    allow_name_only: bool,
) -> Outcome {
    let names = query.approver_names();
    let require = Require::parse(query.require.as_ref(), names.len()).unwrap_or(Require::All);
    let check = identity_check(provider);
    let until = tokio::time::Instant::now() + query.deadline();
    let clock = Instant::now();
    let before = resolve::before_push(
        provider,
        query,
        require,
        allow_name_only,
        progress,
        until,
        blank,
    )
    .await;
    let (identities, mut answers, lookup_calls) = match before {
        resolve::Before::Push {
            identities,
            answers,
            calls,
        } => (identities, answers, calls),
        resolve::Before::Refused {
            status,
            kind,
            message,
            identities,
            calls,
        } => {
            let mut top = blank(&names.join(", ")).fail(status, kind, message);
            top.elapsed_ms = clock.elapsed().as_millis() as u64;
            top.http_calls = calls;
            let mut top = settled(query, top, blank, check);
            for (a, id) in top.approvers.iter_mut().zip(&identities) {
                a.identity = id.as_ref().map(Identity::shown);
            }
            return top;
        }
    };
    let mut quorum = Quorum::new(require.needed(names.len()), names.len());
    // Approvers the provider could not identify answered already (their lookup's failure).
    for (i, a) in answers.iter_mut().enumerate() {
        if let Some(o) = a {
            o.elapsed_ms = clock.elapsed().as_millis() as u64;
            quorum.add(i, o);
        }
    }
    let queries: Vec<Query> = names.iter().map(|n| query.for_approver(n)).collect();
    // Each approver's run reports into the one progress, its code filed under its name.
    let views: Vec<Progress> = names.iter().map(|n| progress.for_approver(n)).collect();
    let slots: Vec<WithdrawSlot> = names.iter().map(|n| withdrawals.slot(n)).collect();
    let mut runs: Vec<Option<CatchUnwind<_>>> = queries
        .iter()
        .zip(&views)
        .zip(&identities)
        .zip(&answers)
        .zip(&slots)
        .map(|((((q, p), id), answered), w)| match answered {
            _ if quorum.decision().is_some() => None,
            Some(_) => None,
            None => Some(CatchUnwind(provider.approve(q, id.as_ref(), p, w))),
        })
        .collect();
    let waiting = std::future::poll_fn(|cx| {
        if quorum.decision().is_some() {
            return Poll::Ready(());
        }
        for (i, slot) in runs.iter_mut().enumerate() {
            let Some(run) = slot else { continue };
            if let Poll::Ready(r) = Pin::new(run).poll(cx) {
                *slot = None;
                let mut o = r.unwrap_or_else(|()| {
                    blank(names[i]).fail(Status::Failed, FailureKind::Internal, PANIC_MESSAGE)
                });
                if o.status == Status::Approved && !o.is_engine_approval() {
                    o.set_failed(Status::Failed, FailureKind::Internal, FORGED_MESSAGE);
                }
                if let Some(id) = &identities[i] {
                    o.identity = Some(id.shown());
                    o.http_calls += id.http_calls;
                }
                o.elapsed_ms = clock.elapsed().as_millis() as u64;
                progress.answered(names[i], o.status.name());
                let decided = quorum.add(i, &o);
                answers[i] = Some(o);
                if decided.is_some() {
                    return Poll::Ready(());
                }
            }
        }
        if runs.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    let in_time = tokio::time::timeout_at(until, waiting).await.is_ok();
    drop(runs); // cancels every run still pending (its HTTP call is dropped, its push withdrawn)
    let elapsed = clock.elapsed().as_millis() as u64;
    // Past the deadline with no decision, everyone still silent timed out; otherwise they
    // were not needed any more.
    let timed_out = !in_time && quorum.decision().is_none();
    for (i, slot) in answers.iter_mut().enumerate() {
        if slot.is_some() {
            continue;
        }
        let o = if timed_out {
            blank(names[i]).fail(
                Status::TimedOut,
                FailureKind::Timeout,
                format!(
                    "no answer within the deadline of {} s",
                    query.timeout_seconds
                ),
            )
        } else {
            blank(names[i]).fail(
                Status::Cancelled,
                FailureKind::Cancelled,
                "not needed any more: the request was decided before this approver answered; not an approval",
            )
        };
        let mut o = o;
        o.elapsed_ms = elapsed;
        if let Some(id) = &identities[i] {
            o.identity = Some(id.shown());
            o.http_calls += id.http_calls;
        }
        if quorum.decision().is_none() {
            quorum.add(i, &o);
        }
        *slot = Some(o);
    }
    let mut answers: Vec<Outcome> = answers.into_iter().flatten().collect();
    // Every push left waiting is being withdrawn now: its answer is awaited, within the grace.
    let limit = tokio::time::Instant::now() + crate::withdraw::WITHDRAW_GRACE;
    for (o, slot) in answers.iter_mut().zip(&slots) {
        note_withdraw(o, slot.settled(limit).await);
    }
    let (status, by) = quorum.decision().unwrap_or((Status::Failed, None));
    let mut top = combine(answers, require, quorum.needed(), status, by, blank);
    top.identity_check = Some(check);
    if check == resolve::BY_NAMES && resolve::is_four_eyes(query) {
        // Said on every approval it applies to, as -AllowBypass is: names alone decided.
        top.warnings.push(format!(
            "names alone told the people apart (allowNameOnlyIdentity): provider {} cannot say who a name is, so one person with two accounts, or two spellings the server maps to one account, counts twice",
            provider.name()
        ));
    }
    top.http_calls += lookup_calls;
    top
}

/// Records on an approver's outcome whether its push was withdrawn.
pub(crate) fn note_withdraw(o: &mut Outcome, settled: Option<(bool, String)>) {
    o.push_withdrawn = settled.as_ref().map(|(w, _)| *w);
    if let Some((false, why)) = &settled {
        o.warnings
            .push(crate::withdraw::not_withdrawn_warning(&o.user_name, why));
    }
}

/// The request's `pushWithdrawn` from its approvers': `false` if any push was not
/// withdrawn, else `true` if any was, else nothing needed withdrawing.
pub(crate) fn all_withdrawn(each: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    each.into_iter().fold(None, |acc, w| match (acc, w) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), _) | (_, Some(true)) => Some(true),
        _ => None,
    })
}

/// One outcome from the approvers' answers and the decision.
fn combine(
    answers: Vec<Outcome>,
    require: Require,
    needed: usize,
    status: Status,
    by: Option<usize>,
    blank: &(dyn Fn(&str) -> Outcome + Sync),
) -> Outcome {
    let each: Vec<ApproverOutcome> = answers.iter().map(ApproverOutcome::of).collect();
    let decider = by.and_then(|i| answers.get(i));
    let mut top = if answers.len() == 1 {
        answers[0].clone()
    } else {
        let names: Vec<&str> = answers.iter().map(|a| a.user_name.as_str()).collect();
        let mut top = blank(&names.join(", "));
        if let Some(d) = decider {
            top.result = d.result;
            top.call_result = d.call_result.clone();
            top.error = d.error.clone();
            top.authentication_request_id = d.authentication_request_id.clone();
            top.failure_kind = d.failure_kind;
        }
        for a in &answers {
            top.http_calls += a.http_calls;
            for w in &a.warnings {
                if !top.warnings.contains(w) {
                    top.warnings.push(w.clone());
                }
            }
        }
        let parts: Vec<String> = answers
            .iter()
            .map(|a| format!("{}: {}", a.user_name, a.status.name()))
            .collect();
        top.message = format!(
            "{}: {needed} of {} approvals required (require {}), decided by {}; {}",
            status.name(),
            answers.len(),
            require.label(),
            decider.map_or("nobody", |d| d.user_name.as_str()),
            parts.join("; ")
        );
        top
    };
    if status == Status::Approved {
        top.approve_as_decided();
    } else if top.status != status || top.approved {
        let kind = match (status, decider) {
            (Status::Approved | Status::Completed, _) => FailureKind::Internal,
            (_, Some(d)) => d.failure_kind,
            (Status::TimedOut, None) => FailureKind::Timeout,
            _ => FailureKind::Internal,
        };
        let message = if top.status == Status::Approved {
            FORGED_MESSAGE.to_string()
        } else {
            top.message.clone()
        };
        top.set_failed(status, kind, message);
    }
    top.require = Some(require.label());
    top.needed = Some(needed as u32);
    top.decided_by = decider.map(|d| d.user_name.clone());
    top.push_withdrawn = all_withdrawn(each.iter().map(|a| a.push_withdrawn));
    top.approvers = each;
    top
}

/// An approval settled by the host (cancelled, expired) or ended without a provider
/// answer: every approver gets the same status.
pub(crate) fn settled(
    query: &Query,
    mut top: Outcome,
    blank: &dyn Fn(&str) -> Outcome,
    identity_check: &'static str,
) -> Outcome {
    let names = query.approver_names();
    let Ok(require) = Require::parse(query.require.as_ref(), names.len()) else {
        return top;
    };
    top.identity_check = Some(identity_check);
    top.require = Some(require.label());
    top.needed = Some(require.needed(names.len()) as u32);
    top.approvers = names
        .iter()
        .map(|n| {
            let mut o = blank(n).fail(top.status, top.failure_kind, top.message.clone());
            o.elapsed_ms = top.elapsed_ms;
            ApproverOutcome::of(&o)
        })
        .collect();
    top
}

pub(crate) mod resolve;
mod unwind;

pub(crate) use unwind::{CatchUnwind, PANIC_MESSAGE};

#[cfg(test)]
mod identity_tests;
#[cfg(test)]
mod tests;
