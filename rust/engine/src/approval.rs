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

use crate::check::{check_text, ConfigError};
use crate::identity::Identity;
use crate::outcome::{ApproverOutcome, FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::Provider;
use crate::request::Query;
use crate::withdraw::{WithdrawSlot, Withdrawals};
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use unicode_normalization::UnicodeNormalization;

/// Most approvers (and most excluded names) one request may name.
pub const MAX_APPROVERS: usize = 100;

/// How many approvals decide a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Require {
    /// One approval.
    Any,
    /// Every approver.
    All,
    /// This many approvals (1 ..= approvers).
    Count(usize),
}

impl Require {
    /// Reads `require` for `approvers` approvers: `"any"`, `"all"` (any case), or a whole
    /// number from 1 to `approvers` (a JSON number or a string of digits). Absent means
    /// any for one approver and is refused for more.
    pub fn parse(value: Option<&serde_json::Value>, approvers: usize) -> Result<Self, ConfigError> {
        let range = || {
            format!(
                "any, all or a number of approvals from 1 to {approvers} (the number of approvers)"
            )
        };
        let Some(value) = value else {
            return if approvers == 1 {
                Ok(Require::Any)
            } else {
                Err(ConfigError::new(
                    "require",
                    format!("is required with more than one approver: {}", range()),
                ))
            };
        };
        let count = match value {
            serde_json::Value::String(s) if s.trim().eq_ignore_ascii_case("any") => {
                return Ok(Require::Any)
            }
            serde_json::Value::String(s) if s.trim().eq_ignore_ascii_case("all") => {
                return Ok(Require::All)
            }
            serde_json::Value::String(s)
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.trim().parse::<usize>().ok()
            }
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
            _ => None,
        };
        match count {
            Some(n) if (1..=approvers).contains(&n) => Ok(Require::Count(n)),
            _ => {
                // Shown whole or not at all: a cut value could keep a piece of a secret
                // typed into the wrong field, which redaction would no longer match.
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let shown = if text.chars().count() <= 40 {
                    text
                } else {
                    format!("a value of {} characters", text.chars().count())
                };
                Err(ConfigError::new(
                    "require",
                    format!("'{shown}' is not {}", range()),
                ))
            }
        }
    }

    /// Approvals needed out of `total`.
    pub fn needed(self, total: usize) -> usize {
        match self {
            Require::Any => 1,
            Require::All => total,
            Require::Count(n) => n,
        }
    }

    /// `any`, `all` or the number.
    pub fn label(self) -> String {
        match self {
            Require::Any => "any".into(),
            Require::All => "all".into(),
            Require::Count(n) => n.to_string(),
        }
    }
}

/// Whether `c` is an invisible format character (Unicode category Cf: zero-width
/// characters, bidi controls, the BOM, tags) that could make two names look alike.
pub fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x3164
        | 0xFE00..=0xFE0F | 0xFFA0 | 0xE0100..=0xE01EF | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// What two names must differ in to be two people: the [`identity`]'s account name (the
/// part after the last `DOMAIN\` or `DOMAIN/`, before the first `@` or `%` (a realm
/// delimiter RADIUS servers strip), without quotes and combining marks), reduced to its
/// look-alike skeleton (Unicode TS #39). Wider than any one server's mapping on purpose: a
/// false "same person" refuses a request, a false "two people" would grant one.
pub fn person_key(name: &str) -> String {
    let id = identity(name);
    let after_domain = id.rsplit(['\\', '/']).next().unwrap_or_default();
    let account = match after_domain.find(['@', '%']) {
        Some(i) if i > 0 => &after_domain[..i],
        _ => after_domain,
    };
    let plain: String = account
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c) && !matches!(c, '"' | '\''))
        .collect();
    unicode_security::confusable_detection::skeleton(&plain).collect()
}

/// A user name's rules: [`check_text`] (required, bounded, no control characters) and no
/// invisible format characters.
pub fn check_name(field: &str, name: &str) -> Result<(), ConfigError> {
    check_text(field, name, true)?;
    if let Some((i, c)) = name.chars().enumerate().find(|(_, c)| is_format_char(*c)) {
        return Err(ConfigError::new(
            field,
            format!(
                "contains the invisible format character U+{:04X} at position {i}; type the name without it",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// The identity a name stands for: trimmed, NFKC-normalised, case-folded (full Unicode:
/// upper then lower case, so `ß` and `SS` agree). Two names with the same identity are
/// the same person.
pub fn identity(name: &str) -> String {
    let normal: String = name.trim().nfkc().collect();
    let folded = normal.to_uppercase().to_lowercase();
    folded.nfkc().collect::<String>().trim().to_owned()
}

/// Checks an approval request's approvers, require and exclude list (every rule that can
/// be checked before anything is sent).
pub fn check(query: &Query) -> Result<(), ConfigError> {
    let (field, names): (&str, Vec<&str>) = match (&query.approvers, &query.user_name) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                "approvers",
                "give either userName (one approver) or approvers, not both",
            ))
        }
        (Some(a), None) => ("approvers", a.iter().map(String::as_str).collect()),
        (None, Some(u)) => ("userName", vec![u.as_str()]),
        (None, None) => return Err(ConfigError::new("userName", "is required")),
    };
    if names.is_empty() {
        return Err(ConfigError::new(
            "approvers",
            "must name at least one approver",
        ));
    }
    if names.len() > MAX_APPROVERS {
        return Err(ConfigError::new(
            "approvers",
            format!(
                "names {} approvers; at most {MAX_APPROVERS} are allowed",
                names.len()
            ),
        ));
    }
    for (i, n) in names.iter().enumerate() {
        let f = if field == "approvers" {
            format!("approvers[{i}]")
        } else {
            field.to_owned()
        };
        check_name(&f, n)?;
    }
    let require = Require::parse(query.require.as_ref(), names.len())?;
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(names.len());
    for n in &names {
        if let Some(first) = seen.insert(person_key(n), n) {
            let needed = require.needed(names.len());
            let people = if needed == 1 {
                "one person".to_string()
            } else {
                format!("{needed} different people")
            };
            return Err(ConfigError::new(
                "approvers",
                format!(
                    "'{first}' and '{n}' are the same person (names are compared ignoring case, surrounding spaces, look-alike characters and the domain: DOMAIN\\user, user@domain and user are one account); name each approver once (require {} needs {people})",
                    require.label()
                ),
            ));
        }
    }
    let excluded = query.exclude_user_names.as_deref().unwrap_or_default();
    if excluded.len() > MAX_APPROVERS {
        return Err(ConfigError::new(
            "excludeUserNames",
            format!(
                "names {} users; at most {MAX_APPROVERS} are allowed",
                excluded.len()
            ),
        ));
    }
    for (i, x) in excluded.iter().enumerate() {
        check_name(&format!("excludeUserNames[{i}]"), x)?;
        if let Some(n) = seen.get(&person_key(x)) {
            return Err(ConfigError::new(
                field,
                format!("'{n}' may not approve this request: it is the same person as the excluded '{x}'"),
            ));
        }
    }
    Ok(())
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

/// Polls a future, turning a panic into `Err(())` (no `unsafe`: the future is boxed).
pub(crate) struct CatchUnwind<F: ?Sized>(pub(crate) Pin<Box<F>>);

impl<F: Future + ?Sized> Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(())),
        }
    }
}

/// The message of a panicking provider's approver.
const PANIC_MESSAGE: &str =
    "internal error: the request failed inside the engine (a caught panic); not an approval";

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

#[cfg(test)]
mod identity_tests;
#[cfg(test)]
mod tests;
