//! The façade: one [`Client`] per configuration (thread-safe, cheap to clone, reused
//! across approvals), running validated queries under an overall deadline.
//!
//! Whatever a provider does, [`Client::run`] returns an outcome: a panic inside the
//! provider becomes `Failed` (`internal`), the deadline covers everything (reading the
//! answer included), and every string in the outcome is scrubbed of the secrets.

use crate::approval::CatchUnwind;
use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::end::{AuditWrite, HostEnd, RequestEnd};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::Provider;
use crate::redact::Redactor;
use crate::request::{Operation, Query};
use crate::withdraw::Withdrawals;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A configured provider. Clones share the same connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    provider: Arc<dyn Provider>,
    redactor: Arc<Redactor>,
    require_user_match: bool,
    audit: Option<Arc<crate::audit::Audit>>,
    /// `allowNameOnlyIdentity`: four-eyes requests on a provider that cannot resolve
    /// identities are taken, by names alone.
    allow_name_only_identity: bool,
}

impl Client {
    /// Validates `config`, reads its certificate files and builds the transport. The
    /// secrets are consumed and zeroized when this returns. A refusal's message is redacted of the secrets (a secret typed into the wrong field
    /// is not repeated).
    pub fn new(config: &ClientConfig, secrets: Secrets) -> Result<Self, ConfigError> {
        Self::new_with_event_log(config, secrets, None)
    }

    /// [`Client::new`] for a host that writes the Windows Event Log (`eventLog` in the
    /// configuration): `events` writes each audit line there (the C ABI library gives its
    /// own on Windows).
    pub fn new_with_event_log(
        config: &ClientConfig,
        secrets: Secrets,
        events: Option<Arc<dyn crate::audit::event::EventSink>>,
    ) -> Result<Self, ConfigError> {
        let redactor = Arc::new(redactor_for(config, &secrets));
        Self::build(config, &secrets, &redactor, events).map_err(|e| ConfigError {
            field: e.field,
            problem: redactor.scrub(&e.problem),
        })
    }

    fn build(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: &Arc<Redactor>,
        events: Option<Arc<dyn crate::audit::event::EventSink>>,
    ) -> Result<Self, ConfigError> {
        config.validate(secrets)?;
        let redactor = redactor.clone();
        let provider: Arc<dyn Provider> = (crate::registry::build::lookup(&config.provider)?
            .build)(config, secrets, redactor.clone())?;
        let audit = crate::audit::Audit::from_config(config, secrets, events)?.map(Arc::new);
        Ok(Self {
            provider,
            redactor,
            require_user_match: config.require_user_match,
            audit,
            allow_name_only_identity: config.allow_name_only_identity,
        })
    }

    /// `text` (a host's error message about this configuration) redacted of `secrets`,
    /// for refusals made before a client exists (a configuration that does not parse).
    pub fn scrub_with(secrets: &Secrets, text: &str) -> String {
        redactor_of(None, None, secrets).scrub(text)
    }

    /// `text` redacted of this client's secrets (a host's message about a request).
    pub fn scrub(&self, text: &str) -> String {
        self.redactor.scrub(text)
    }

    /// A client over any provider (tests, and hosts embedding the engine), scrubbing
    /// outcomes with `redactor`.
    pub fn with_provider(
        provider: Arc<dyn Provider>,
        redactor: Arc<Redactor>,
        require_user_match: bool,
    ) -> Self {
        Self {
            provider,
            redactor,
            require_user_match,
            audit: None,
            allow_name_only_identity: false,
        }
    }

    /// This client with `allowNameOnlyIdentity` set to `allow` (a host embedding a provider
    /// that cannot resolve identities; [`Client::new`] reads it from the configuration).
    pub fn allowing_name_only_identity(mut self, allow: bool) -> Self {
        self.allow_name_only_identity = allow;
        self
    }

    /// Runs any validated query to its end under its deadline, filling the timing fields.
    /// Invalid queries come back as `Failed` outcomes naming the field; a panic in the
    /// provider comes back as `Failed` with failure kind `internal`.
    pub async fn run(&self, query: &Query) -> Outcome {
        self.run_with_progress(query, &Progress::default()).await
    }

    /// [`Client::run`], reporting what the provider is doing to `progress` while it runs.
    pub async fn run_with_progress(&self, query: &Query, progress: &Progress) -> Outcome {
        self.run_tracked(query, progress, &Withdrawals::default())
            .await
    }

    /// [`Client::run_with_progress`], recording each approver's push in `withdrawals` (a
    /// host that ends the request itself reads which pushes are still out:
    /// [`Client::note_withdrawals`]).
    pub async fn run_tracked(
        &self,
        query: &Query,
        progress: &Progress,
        withdrawals: &Withdrawals,
    ) -> Outcome {
        let end = RequestEnd::default();
        match self.run_to_end(query, progress, withdrawals, &end).await {
            Some(outcome) => outcome,
            // Nobody else holds this end: unreachable, and never an approval if it were.
            None => self.blank(query).fail(
                Status::Failed,
                FailureKind::Internal,
                "internal error: the request ended twice; not an approval",
            ),
        }
    }

    /// Runs `query` and ends it through [`Client::end`], unless a host ended it first
    /// through the same `end` ([`Client::end_by_host`]: a cancel, an expiry): then `None`,
    /// and nothing of this run is recorded.
    pub async fn run_to_end(
        &self,
        query: &Query,
        progress: &Progress,
        withdrawals: &Withdrawals,
        end: &RequestEnd,
    ) -> Option<Outcome> {
        let started_at_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let clock = Instant::now();
        progress.start_for(query);
        let mut outcome = match query.validate() {
            Err(e) => self.blank(query).fail(
                Status::Failed,
                FailureKind::Protocol,
                format!("invalid request: {e}"),
            ),
            Ok(()) if query.operation == Operation::Authenticate => {
                let blank = |user: &str| self.blank_for(query, user);
                crate::approval::run(
                    self.provider.as_ref(),
                    query,
                    progress,
                    withdrawals,
                    &blank,
                    self.allow_name_only_identity,
                )
                .await
            }
            Ok(()) => {
                let run = CatchUnwind(self.provider.run(query, progress));
                match tokio::time::timeout(query.deadline(), run).await {
                    Ok(Ok(outcome)) => outcome,
                    Ok(Err(())) => self.blank(query).fail(
                        Status::Failed,
                        FailureKind::Internal,
                        "internal error: the request failed inside the engine (a caught panic); not an approval",
                    ),
                    Err(_) => self.blank(query).fail(
                        Status::TimedOut,
                        FailureKind::Timeout,
                        format!(
                            "no answer within the deadline of {} s",
                            query.timeout_seconds
                        ),
                    ),
                }
            }
        };
        outcome.started_at_unix_ms = started_at_unix_ms;
        outcome.elapsed_ms = clock.elapsed().as_millis() as u64;
        self.end(query, progress, end, outcome).await
    }

    /// The one end of a request the engine ran (`crate::end`): when `end` is still
    /// unclaimed, `outcome` is scrubbed, its audit record written (bounded; an approval
    /// that cannot be recorded is not granted) and the progress stage `done` written, and
    /// the final outcome returned. `None` when the request had been ended already (by a
    /// host): nothing is written.
    pub async fn end(
        &self,
        query: &Query,
        progress: &Progress,
        end: &RequestEnd,
        mut outcome: Outcome,
    ) -> Option<Outcome> {
        if !end.claim() {
            return None;
        }
        outcome.scrub(&self.redactor);
        self.record(query, &mut outcome).await;
        self.end_request(progress, &outcome);
        end.complete();
        Some(outcome)
    }

    /// The one end of a request a host ends itself (`crate::end`): a cancel, the host's
    /// own wait running out, or its task stopping without an outcome. When `end` is still
    /// unclaimed: the outcome ([`Client::cancelled`], [`Client::expired`] or `internal`),
    /// the pushes still out noted ([`Client::note_withdrawals`]), scrubbed, its audit line
    /// made and the progress stage `done` written; the record is returned for the host to
    /// write off its thread (this never blocks). `None` when the request has ended or is
    /// ending already (the engine's run claimed it: its outcome follows within
    /// [`crate::audit::AUDIT_WRITE_BOUND`]).
    #[allow(clippy::too_many_arguments)]
    pub fn end_by_host(
        &self,
        query: &Query,
        progress: &Progress,
        withdrawals: &Withdrawals,
        end: &RequestEnd,
        how: HostEnd,
        started_at_unix_ms: u64,
        elapsed_ms: u64,
    ) -> Option<(Outcome, Option<AuditWrite>)> {
        if !end.claim() {
            return None;
        }
        let mut outcome = match how {
            HostEnd::Cancelled => self.cancelled(query, started_at_unix_ms, elapsed_ms),
            HostEnd::Expired => self.expired(query, started_at_unix_ms, elapsed_ms),
            HostEnd::Died => self.ended(
                query,
                started_at_unix_ms,
                elapsed_ms,
                Status::Failed,
                FailureKind::Internal,
                "internal error: the request's task ended without an outcome; not an approval",
            ),
        };
        // Pushes still out are withdrawn as the host drops the run; nobody waits for the
        // answer, so the outcome (and its record) says not confirmed.
        self.note_withdrawals(&mut outcome, withdrawals);
        outcome.scrub(&self.redactor);
        let audit = self
            .audit_line(query, &mut outcome)
            .map(|(audit, line)| AuditWrite {
                audit,
                line,
                status: outcome.status,
            });
        self.end_request(progress, &outcome);
        end.complete();
        Some((outcome, audit))
    }

    /// Writes the progress stage `done` for `outcome`: once, with the outcome's message and
    /// each approver's final status (providers never write it; a second call changes
    /// nothing). [`Client::end`] and [`Client::end_by_host`] call it as the request ends;
    /// a host calls it itself only for a request whose end was claimed by a run that then
    /// stopped (its task died while recording), to settle what it shows.
    pub fn end_request(&self, progress: &Progress, outcome: &Outcome) {
        progress.finish(outcome);
    }

    /// For a connection with an audit trail: gives `outcome` a record id and returns the
    /// trail and the record (one JSON line) to write (hosts that settle outcomes
    /// themselves, such as a cancel, write it off their own thread with
    /// [`crate::audit::Audit::write`]).
    pub fn audit_line(
        &self,
        query: &Query,
        outcome: &mut Outcome,
    ) -> Option<(Arc<crate::audit::Audit>, String)> {
        let audit = self.audit.clone()?;
        outcome.audit_id = Some(crate::audit::Audit::new_id());
        let line = self
            .redactor
            .scrub(&audit.line(&self.audit_query(query), outcome));
        Some((audit, line))
    }

    /// `query` as its audit record shows it: workflow context comes from the caller, so it
    /// is redacted before the line bounds each value (a cut first would keep a piece of a
    /// secret); the line is redacted once more as a whole.
    fn audit_query(&self, query: &Query) -> Query {
        let scrub = |s: &String| self.redactor.scrub(s);
        let mut q = query.clone();
        q.application_name = query.application_name.as_ref().map(scrub);
        q.push_type = query.push_type.as_ref().map(scrub);
        q.push_info = query
            .push_info
            .as_ref()
            .map(|info| info.iter().map(|(k, v)| (scrub(k), scrub(v))).collect());
        q
    }

    /// Writes the finished request's record where the connection keeps its trail, bounded
    /// by AUDIT_WRITE_BOUND (a file system or syslog server that hangs does not hold the
    /// request longer; the writer thread is left behind and writes nothing late). An
    /// approval whose required record could not be written is not granted; when another
    /// sink already holds it as Approved, the final outcome is written there too (same id:
    /// the last record with an id is the request's outcome).
    async fn record(&self, query: &Query, outcome: &mut Outcome) {
        use crate::audit::{Sinks, AUDIT_FIRST_PASS, AUDIT_WRITE_BOUND};
        let Some((audit, line)) = self.audit_line(query, outcome) else {
            return;
        };
        let start = tokio::time::Instant::now();
        let approved = outcome.approved;
        let status = outcome.status;
        let first = audit
            .write(
                &line,
                status,
                Sinks::ALL,
                start + AUDIT_FIRST_PASS,
                approved,
            )
            .await;
        let clean = |e: &str| self.redactor.scrub(&crate::redact::bound(e, 300));
        for w in &first.warnings {
            outcome.warnings.push(clean(w));
        }
        let Some(e) = first.failed_required else {
            return;
        };
        let e = clean(&e);
        if !approved {
            outcome.warnings.push(e);
            return;
        }
        // Fail closed: an approval that cannot be recorded is not granted.
        outcome.set_failed(
            Status::Failed,
            FailureKind::Internal,
            format!(
                "the user approved, but {e}; not an approval. {}check where the audit trail is kept (-AuditPath auditPath, -SyslogServer syslogServer, -EventLog eventLog): the file must be a regular file (not a link, a folder or a pipe) in a folder this account can write and only admins can change, and the syslog server must answer; a path that changed by itself may be tampering",
                crate::next_step::MARKER
            ),
        );
        // Correct every sink that holds the approval, and tell those not tried yet; retry
        // none that failed.
        let to = Sinks {
            file: first.delivered.file,
            syslog: first.delivered.syslog || first.skipped.syslog,
            events: first.delivered.events || first.skipped.events,
        };
        if to == Sinks::default() {
            outcome.audit_id = None;
            return;
        }
        let line = self
            .redactor
            .scrub(&audit.line(&self.audit_query(query), outcome));
        let second = audit
            .write(&line, outcome.status, to, start + AUDIT_WRITE_BOUND, false)
            .await;
        for w in second.warnings.iter().chain(second.failed_required.iter()) {
            outcome
                .warnings
                .push(clean(&format!("the record of the final outcome: {w}")));
        }
        if second.delivered == Sinks::default() && first.delivered == Sinks::default() {
            outcome.audit_id = None;
        }
    }

    /// For an outcome the host made itself (a cancel, its own wait running out) while pushes
    /// were still out: each such approver's push is being withdrawn as the request's task
    /// ends, and nobody waits for the answer (a cancel never blocks), so `pushWithdrawn` is
    /// `false` for them, with a warning. Call before [`Client::audit_line`].
    pub fn note_withdrawals(&self, outcome: &mut Outcome, withdrawals: &Withdrawals) {
        let out = withdrawals.outstanding();
        if out.is_empty() {
            return;
        }
        let why = "sent as the request ended; its answer was not waited for";
        for a in &mut outcome.approvers {
            if out.contains(&a.user_name) {
                a.push_withdrawn = Some(false);
                outcome
                    .warnings
                    .push(crate::withdraw::not_withdrawn_warning(&a.user_name, why));
            }
        }
        outcome.push_withdrawn =
            crate::approval::all_withdrawn(outcome.approvers.iter().map(|a| a.push_withdrawn));
    }

    /// A cancelled outcome for `query` (used by hosts that cancel a pending request).
    pub fn cancelled(&self, query: &Query, started_at_unix_ms: u64, elapsed_ms: u64) -> Outcome {
        self.ended(
            query,
            started_at_unix_ms,
            elapsed_ms,
            Status::Cancelled,
            FailureKind::Cancelled,
            self.provider.cancelled_message(),
        )
    }

    /// A TimedOut outcome for `query` (used by hosts whose own wait ran out).
    pub fn expired(&self, query: &Query, started_at_unix_ms: u64, elapsed_ms: u64) -> Outcome {
        self.ended(
            query,
            started_at_unix_ms,
            elapsed_ms,
            Status::TimedOut,
            FailureKind::Timeout,
            "no answer before the host's wait ended (it expired the request); not an approval",
        )
    }

    /// A non-approving outcome for `query` made by the host (for example `internal` when
    /// its task ended without an outcome).
    pub fn ended(
        &self,
        query: &Query,
        started_at_unix_ms: u64,
        elapsed_ms: u64,
        status: Status,
        kind: FailureKind,
        message: &str,
    ) -> Outcome {
        let mut o = self.blank(query).fail(status, kind, message);
        o.started_at_unix_ms = started_at_unix_ms;
        o.elapsed_ms = elapsed_ms;
        if query.operation == Operation::Authenticate {
            let blank = |user: &str| self.blank_for(query, user);
            o = crate::approval::settled(
                query,
                o,
                &blank,
                crate::approval::identity_check(self.provider.as_ref()),
            );
        }
        o
    }

    fn blank(&self, query: &Query) -> Outcome {
        let names = query.approver_names();
        self.blank_for(query, &names.join(", "))
    }

    fn blank_for(&self, query: &Query, user_name: &str) -> Outcome {
        Outcome::new(
            query.operation.name(),
            self.provider.name(),
            user_name,
            self.require_user_match,
        )
    }
}

/// The redactor for a configuration's secrets: every secret in every spelling, and both
/// HTTP Basic credentials (the server's and the proxy's) as `user:password` and base64.
pub(crate) fn redactor_for(config: &ClientConfig, secrets: &Secrets) -> Redactor {
    redactor_of(
        config.user_name.as_deref(),
        config.proxy_user_name.as_deref(),
        secrets,
    )
}

/// [`redactor_for`] from the two Basic user names.
fn redactor_of(user: Option<&str>, proxy_user: Option<&str>, secrets: &Secrets) -> Redactor {
    let mut r = Redactor::default();
    let basic = [
        (user, &secrets.basic_password),
        (proxy_user, &secrets.proxy_password),
    ];
    for (user, password) in basic {
        match (user, password) {
            (Some(u), Some(p)) => r.add_basic(u, p),
            (None, Some(p)) => r.add_secret(p),
            _ => {}
        }
    }
    for p in [
        &secrets.client_certificate_password,
        &secrets.duo_secret_key,
        &secrets.radius_shared_secret,
        &secrets.radius_password,
        &secrets.okta_api_token,
        &secrets.okta_private_key,
        &secrets.audit_key,
    ]
    .into_iter()
    .flatten()
    {
        r.add_secret(p);
    }
    r
}

#[cfg(test)]
mod end_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::BoxFuture;

    #[derive(Debug)]
    struct Panics;
    impl Provider for Panics {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn run<'a>(&'a self, _: &'a Query, _: &'a Progress) -> BoxFuture<'a, Outcome> {
            Box::pin(async {
                tokio::task::yield_now().await;
                panic!("provider bug")
            })
        }
    }

    #[derive(Debug)]
    struct Echoes;
    impl Provider for Echoes {
        fn name(&self) -> &'static str {
            "echoes"
        }
        fn run<'a>(&'a self, q: &'a Query, _: &'a Progress) -> BoxFuture<'a, Outcome> {
            Box::pin(async move {
                Outcome::new("authenticate", "echoes", "u", true).fail(
                    Status::Failed,
                    FailureKind::HttpStatus,
                    format!("server said: password=hunter2 for {:?}", q.user_name),
                )
            })
        }
    }

    fn query() -> Query {
        Query::from_json(br#"{"userName":"u","timeoutSeconds":5}"#).unwrap()
    }

    #[tokio::test]
    async fn a_panicking_provider_settles_as_failed_internal() {
        let client = Client::with_provider(Arc::new(Panics), Arc::default(), true);
        let o = client.run(&query()).await;
        assert_eq!(o.status, Status::Failed);
        assert!(!o.approved);
        assert_eq!(o.failure_kind, FailureKind::Internal);
    }

    #[tokio::test]
    async fn every_outcome_is_scrubbed_of_the_secrets() {
        let redactor = Arc::new(Redactor::new(None, &["hunter2"]));
        let client = Client::with_provider(Arc::new(Echoes), redactor, true);
        let o = client.run(&query()).await;
        assert!(!o.message.contains("hunter2"), "{}", o.message);
    }
}
