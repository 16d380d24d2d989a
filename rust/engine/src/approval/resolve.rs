//! Before any push: who is who. A request with several approvers or excluded names (a
//! four-eyes request) asks the provider who every approver and every excluded name is, all
//! at once, inside the request's one deadline (progress stage `resolving`), and decides
//! four eyes on the identities ([`crate::identity`]):
//!
//! - two approvers who share an identity are one person: the request is refused before any
//!   push, naming both spellings and what they share;
//! - an approver who shares an identity with an excluded name may not approve: refused the
//!   same way;
//! - an excluded name the provider cannot identify (unknown, no device, a lookup that failed)
//!   blocks the request: it is never silently ignored;
//! - an approver the provider cannot identify is not asked: that approver's answer is the
//!   lookup's failure (never a pass), and the quorum decides with it.
//!
//! A provider that cannot resolve (RADIUS) takes four-eyes requests only with
//! `allowNameOnlyIdentity`; the outcome then says `identityCheck: names`.

use super::unwind::{CatchUnwind, PANIC_MESSAGE};
use crate::approvers::Require;
use crate::identity::Identity;
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::request::Query;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// `identityCheck` when the provider's identities decide.
pub const BY_PROVIDER: &str = "provider";
/// `identityCheck` when names alone decide.
pub const BY_NAMES: &str = "names";

/// What the approval goes on with.
pub(crate) enum Before {
    /// Push to the approvers whose `answers` slot is empty; `identities` holds each
    /// resolved approver's identity (none when nothing was resolved).
    Push {
        identities: Vec<Option<Identity>>,
        answers: Vec<Option<Outcome>>,
        /// HTTP calls of the excluded names' lookups (counted in the request's total).
        calls: u32,
    },
    /// Refused before any push: this outcome (its message says why), with the identities
    /// resolved so far for the record.
    Refused {
        status: Status,
        kind: FailureKind,
        message: String,
        identities: Vec<Option<Identity>>,
        /// HTTP calls of every lookup made.
        calls: u32,
    },
}

/// Whether a request needs identities: several approvers, or anyone excluded.
pub(crate) fn is_four_eyes(query: &Query) -> bool {
    query.approver_names().len() > 1
        || query
            .exclude_user_names
            .as_ref()
            .is_some_and(|x| !x.is_empty())
}

/// Decides, before any push, who may be asked (see the module notes). `until` is the
/// request's deadline; `blank` makes a not-yet-decided outcome for a name.
pub(crate) async fn before_push(
    provider: &dyn Provider,
    query: &Query,
    require: Require,
    allow_name_only: bool,
    progress: &Progress,
    until: tokio::time::Instant,
    blank: &(dyn Fn(&str) -> Outcome + Sync),
) -> Before {
    let names = query.approver_names();
    fn none<T: Clone>(n: usize) -> Vec<Option<T>> {
        vec![None; n]
    }
    let none_ids = || none::<Identity>(names.len());
    let none_answers = || none::<Outcome>(names.len());
    if !is_four_eyes(query) {
        return Before::Push {
            identities: none_ids(),
            answers: none_answers(),
            calls: 0,
        };
    }
    if !provider.resolves_identity() {
        if allow_name_only {
            return Before::Push {
                identities: none_ids(),
                answers: none_answers(),
                calls: 0,
            };
        }
        return Before::Refused {
            status: Status::Failed,
            kind: FailureKind::Identity,
            message: format!(
                "refused before any push: provider {} cannot say who a name is, so it cannot tell whether {} are different people; allowNameOnlyIdentity is not set",
                provider.name(),
                if names.len() > 1 { "the approvers" } else { "the approver and the excluded names" }
            ),
            identities: none_ids(),
            calls: 0,
        };
    }
    let excluded: Vec<&str> = query
        .exclude_user_names
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    progress.set(
        "resolving",
        "asking the provider who each approver and excluded name is",
        None,
    );
    let all: Vec<&str> = names.iter().chain(&excluded).copied().collect();
    let queries: Vec<Query> = all.iter().map(|n| query.for_approver(n)).collect();
    let Ok(found) =
        tokio::time::timeout_at(until, resolve_all(provider, &queries, progress, blank)).await
    else {
        return Before::Refused {
            status: Status::TimedOut,
            kind: FailureKind::Timeout,
            message: format!(
                "no answer within the deadline of {} s while asking the provider who each name is; nothing was pushed",
                query.timeout_seconds
            ),
            identities: none_ids(),
            calls: 0,
        };
    };
    let calls_of = |r: &Result<Identity, Box<Outcome>>| match r {
        Ok(id) => id.http_calls,
        Err(o) => o.http_calls,
    };
    let all_calls: u32 = found.iter().map(calls_of).sum();
    let (approvers, kept_out) = found.split_at(names.len());
    let excluded_calls: u32 = kept_out.iter().map(calls_of).sum();
    let mut identities: Vec<Option<Identity>> = none_ids();
    let mut answers: Vec<Option<Outcome>> = none_answers();
    for (i, r) in approvers.iter().enumerate() {
        match r {
            Ok(id) if !id.is_empty() => identities[i] = Some(id.clone()),
            Ok(_) => {
                answers[i] = Some(blank(names[i]).fail(
                    Status::Failed,
                    FailureKind::Identity,
                    "the provider named nothing to tell this person apart by; not asked, not an approval",
                ))
            }
            Err(o) => answers[i] = Some(o.as_ref().clone()),
        }
    }
    // An excluded name that cannot be identified blocks the request.
    for (x, r) in excluded.iter().zip(kept_out) {
        let why = match r {
            Ok(id) if !id.is_empty() => continue,
            Ok(_) => None,
            Err(o) => Some(o),
        };
        let (status, kind) = match why {
            Some(o) if o.status == Status::TimedOut => (Status::TimedOut, o.failure_kind),
            Some(o) if o.failure_kind != FailureKind::Provider => (Status::Failed, o.failure_kind),
            _ => (Status::Failed, FailureKind::Identity),
        };
        let detail = why.map_or_else(
            || "the provider named nothing to tell this person apart by".to_string(),
            |o| o.message.clone(),
        );
        return Before::Refused {
            status,
            kind,
            message: format!(
                "refused before any push: the excluded '{x}' could not be identified by provider {}, so it could not be kept out ({detail})",
                provider.name()
            ),
            identities,
            calls: all_calls,
        };
    }
    let kept_out: Vec<(&str, &Identity)> = excluded
        .iter()
        .zip(kept_out)
        .filter_map(|(x, r)| r.as_ref().ok().map(|id| (*x, id)))
        .collect();
    for (i, id) in identities.iter().enumerate() {
        let Some(id) = id else { continue };
        for (j, other) in identities.iter().enumerate().skip(i + 1) {
            if let Some(shared) = other.as_ref().and_then(|o| id.shared_with(o)) {
                let needed = require.needed(names.len());
                let people = if needed == 1 {
                    "one person".to_string()
                } else {
                    format!("{needed} different people")
                };
                return Before::Refused {
                    status: Status::Failed,
                    kind: FailureKind::Identity,
                    message: format!(
                        "refused before any push: '{}' and '{}' are one person: provider {} resolves both to {shared} (require {} needs {people})",
                        names[i],
                        names[j],
                        provider.name(),
                        require.label()
                    ),
                    identities,
                    calls: all_calls,
                };
            }
        }
        for (x, other) in &kept_out {
            if let Some(shared) = id.shared_with(other) {
                return Before::Refused {
                    status: Status::Failed,
                    kind: FailureKind::Identity,
                    message: format!(
                        "refused before any push: '{}' may not approve this request: provider {} resolves it and the excluded '{x}' to {shared}, one person",
                        names[i],
                        provider.name()
                    ),
                    identities,
                    calls: all_calls,
                };
            }
        }
    }
    Before::Push {
        identities,
        answers,
        calls: excluded_calls,
    }
}

/// Resolves every query's name at once (a panicking lookup is that name's `internal` failure).
async fn resolve_all(
    provider: &dyn Provider,
    queries: &[Query],
    progress: &Progress,
    blank: &(dyn Fn(&str) -> Outcome + Sync),
) -> Vec<Result<Identity, Box<Outcome>>> {
    type Lookup<'a> = CatchUnwind<dyn Future<Output = Result<Identity, Box<Outcome>>> + Send + 'a>;
    let mut runs: Vec<Option<Lookup<'_>>> = queries
        .iter()
        .map(|q| {
            let f: BoxFuture<'_, Result<Identity, Box<Outcome>>> = provider.resolve(q, progress);
            Some(CatchUnwind(f))
        })
        .collect();
    let mut found: Vec<Option<Result<Identity, Box<Outcome>>>> = vec![None; queries.len()];
    std::future::poll_fn(|cx| {
        for (i, slot) in runs.iter_mut().enumerate() {
            let Some(run) = slot else { continue };
            if let Poll::Ready(r) = Pin::new(run).poll(cx) {
                *slot = None;
                let name = queries[i].user_name.as_deref().unwrap_or_default();
                found[i] = Some(r.unwrap_or_else(|()| {
                    Err(Box::new(blank(name).fail(
                        Status::Failed,
                        FailureKind::Internal,
                        PANIC_MESSAGE,
                    )))
                }));
            }
        }
        if runs.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    found.into_iter().flatten().collect()
}
