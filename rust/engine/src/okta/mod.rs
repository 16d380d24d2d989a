//! The Okta provider (management API, Okta Verify push): resolve the user, find its active
//! push factor, verify it (optionally with a number challenge), then poll the transaction
//! until Okta decides.
//!
//! - [`config`]: what a `provider: okta` configuration must and must not set;
//! - [`auth`]: the API token or the service app's access token (`private_key_jwt`);
//! - [`api`]: bounded calls, rate-limit headers, retries;
//! - [`decide`]: what the answers mean, fail closed.
//!
//! Flow of an approval: `GET /api/v1/users/{login}` (the login percent-encoded as one path
//! segment) → `GET /api/v1/users/{id}/factors` (the active `push` factor of provider `OKTA`)
//! → `POST .../factors/{factorId}/verify` (201 `WAITING` with `_links.poll`, and with a
//! number challenge `_embedded.challenge.correctAnswer`) → the poll link, at most once a
//! second (`crate::pace`), until `SUCCESS`, `REJECTED` or `TIMEOUT`. A poll or cancel link
//! that is not this transaction on the org's own origin is refused. A request that stops
//! waiting before Okta decided (cancelled, past its deadline, decided by other approvers, a
//! refused answer) withdraws the push through the cancel link, outside any rate-limit hold,
//! within `crate::withdraw::WITHDRAW_GRACE`; the outcome's `pushWithdrawn` says whether
//! Okta confirmed it.

pub mod api;
pub mod auth;
pub mod build;
pub mod config;
pub mod decide;
pub mod error;
pub mod spec;
use spec::NAME;

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::identity::Identity;
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::redact::Redactor;
use crate::request::{Operation, Query};
use crate::withdraw::{WithdrawSlot, WITHDRAW_GRACE};
use api::{Api, CallError, Retry};
use decide::{NotPushed, Verdict};
use reqwest::{Method, Url};
use serde_json::json;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The Okta provider.
#[derive(Debug)]
pub struct Okta {
    api: Arc<Api>,
    number_challenge: bool,
}

/// A member the decision reads is missing or mistyped: a protocol failure, never a decision.
fn protocol(op: &str, e: impl std::fmt::Display) -> CallError {
    CallError::new(
        FailureKind::Protocol,
        format!("{op}: the answer is not usable ({e}); not an approval"),
    )
}

/// `text` as one URL path segment: every byte but ASCII letters, digits and `-._~@`
/// percent-encoded (a `/`, `?`, `#` or `%` in a login never changes the path).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The push that is waiting: where to poll it, and the guard that withdraws it.
struct Transaction {
    poll: Url,
    withdraw: Withdraw,
}

/// Withdraws a push when dropped while armed (the request stopped waiting before Okta
/// decided): a `DELETE` of the cancel link on the runtime, outside the rate-limit hold,
/// within [`WITHDRAW_GRACE`], its answer reported to the approver's slot.
struct Withdraw {
    api: Arc<Api>,
    cancel: Option<Url>,
    slot: WithdrawSlot,
}

impl Withdraw {
    fn new(api: Arc<Api>, cancel: Option<Url>, slot: WithdrawSlot) -> Self {
        slot.arm();
        Self { api, cancel, slot }
    }

    /// Okta decided: nothing to withdraw.
    fn disarm(&mut self) {
        self.cancel = None;
        self.slot.disarm();
    }
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        if !self.slot.is_armed() {
            return;
        }
        self.slot.sending();
        let slot = self.slot.clone();
        let Some(url) = self.cancel.take() else {
            slot.sent(false, "Okta's verify answer gave no cancel link");
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            slot.sent(false, "the engine was shutting down");
            return;
        };
        let api = self.api.clone();
        runtime.spawn(async move {
            match tokio::time::timeout(WITHDRAW_GRACE, api.withdraw(&url)).await {
                Ok(Ok(())) => slot.sent(true, ""),
                Ok(Err(e)) => slot.sent(false, e.into_message()),
                Err(_) => slot.sent(
                    false,
                    format!(
                        "Okta did not answer the withdraw within {} s",
                        WITHDRAW_GRACE.as_secs()
                    ),
                ),
            }
        });
    }
}

impl Okta {
    /// Builds the provider (TLS, proxy, credential).
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        let (http, timeout) = crate::transport::http_client(config, secrets)?;
        let origin = Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
        let credential = match (&config.client_id, &secrets.okta_api_token) {
            (Some(id), _) => {
                let pem = secrets.okta_private_key.as_ref().ok_or_else(|| {
                    ConfigError::new("oktaPrivateKey", "is required with clientId")
                })?;
                auth::Credential::ServiceApp(Box::new(
                    auth::ServiceApp::new(id, pem)
                        .map_err(|p| ConfigError::new("oktaPrivateKey", p))?,
                ))
            }
            (None, Some(token)) => {
                auth::Credential::ApiToken(Zeroizing::new(token.as_str().to_owned()))
            }
            (None, None) => {
                return Err(ConfigError::new(
                    "oktaApiToken",
                    "is required for provider okta",
                ))
            }
        };
        Ok(Self {
            api: Arc::new(Api::new(http, origin, credential, timeout, redactor)),
            number_challenge: config.number_challenge,
        })
    }

    fn outcome(&self, q: &Query) -> Outcome {
        Outcome::new(
            q.operation.name(),
            NAME,
            q.user_name.as_deref().unwrap_or_default(),
            true,
        )
    }

    fn failed(&self, mut o: Outcome, e: CallError) -> Outcome {
        let status = e.outcome_status();
        o.set_failed(status, e.kind(), e.into_message());
        o
    }

    /// `GET /api/v1/users/{login}`: the user's id (`None`: Okta does not know the login).
    async fn find_user(&self, user: &str, o: &mut Outcome) -> Result<Option<String>, CallError> {
        if user.trim_matches('.').is_empty() {
            return Err(CallError::new(
                FailureKind::Protocol,
                "userName: '.' and '..' are not Okta logins",
            ));
        }
        let url = self
            .api
            .url(&format!("/api/v1/users/{}", path_segment(user)));
        o.http_calls += 1;
        match self
            .api
            .call(Method::GET, &url, None, Retry::Safe, "user")
            .await
        {
            Ok(a) => decide::user_id(&a.json, user).map(Some).map_err(|e| {
                // The login Okta answered with (a short name's owner?) is the name to pass.
                let other = match a.json.get("profile") {
                    Some(p) => p.opt_str("login").ok().flatten(),
                    None => None,
                };
                let e = match other {
                    Some(login) if !login.eq_ignore_ascii_case(user) => format!(
                        "Okta answered with the user '{}' for '{user}' (a short name or an alias?); pass that user's full Okta login or user id",
                        self.api.server_text(login, 64)
                    ),
                    _ => e,
                };
                CallError::new(FailureKind::Protocol, format!("user: {e}; not an approval"))
            }),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Who `user` is: the Okta user id, which the push then goes to.
    async fn identify(&self, q: &Query) -> Result<Identity, Outcome> {
        let mut o = self.outcome(q);
        let user = q.user_name.as_deref().unwrap_or_default();
        match self.find_user(user, &mut o).await {
            Ok(Some(uid)) => {
                let mut id = identity_of(&uid);
                id.http_calls = o.http_calls;
                Ok(id)
            }
            Ok(None) => Err(o.fail(
                Status::Failed,
                FailureKind::Provider,
                "Okta does not know this user (HTTP 404); pass the user's Okta login or user id",
            )),
            Err(e) => Err(self.failed(o, e)),
        }
    }

    /// `GET /api/v1/users/{id}/factors`: the active Okta Verify push factor, if any.
    async fn find_push(&self, uid: &str, o: &mut Outcome) -> Result<Option<String>, CallError> {
        let url = self.api.url(&format!("/api/v1/users/{uid}/factors"));
        o.http_calls += 1;
        let a = self
            .api
            .call(Method::GET, &url, None, Retry::Safe, "factors")
            .await?;
        decide::push_factor(&a.json).map_err(|e| protocol("factors", e))
    }

    /// A poll or cancel link of this user's factor: on the org's own origin, the path
    /// `/api/v1/users/{uid}/factors/{fid}/transactions/{id}` and nothing else.
    fn transaction_link(
        &self,
        href: &str,
        uid: &str,
        fid: &str,
    ) -> Result<(Url, String), CallError> {
        let refused = |why: &str| {
            CallError::new(
                FailureKind::Protocol,
                format!("verify: {why}; not an approval"),
            )
        };
        let url = Url::parse(href).map_err(|_| refused("a transaction link is not a URL"))?;
        if !self.api.is_own(&url) {
            return Err(refused(
                "a transaction link points away from the org's own origin (refused)",
            ));
        }
        let prefix = format!("/api/v1/users/{uid}/factors/{fid}/transactions/");
        let id = url
            .path()
            .strip_prefix(&prefix)
            .filter(|id| {
                !id.is_empty()
                    && id.len() <= 128
                    && !id.bytes().all(|b| b == b'.')
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
            .ok_or_else(|| {
                refused("a transaction link names another user, factor or path (refused)")
            })?;
        Ok((url.clone(), id.to_owned()))
    }

    /// `POST .../verify`: the push; returns the transaction to poll.
    async fn push(
        &self,
        uid: &str,
        fid: &str,
        o: &mut Outcome,
        progress: &Progress,
        slot: &WithdrawSlot,
    ) -> Result<Transaction, CallError> {
        let url = self
            .api
            .url(&format!("/api/v1/users/{uid}/factors/{fid}/verify"));
        let body = if self.number_challenge {
            r#"{"useNumberMatchingChallenge":true}"#
        } else {
            "{}"
        };
        o.http_calls += 1;
        let a = self
            .api
            .call(
                Method::POST,
                &url,
                Some(body),
                Retry::OnlyIfRefused,
                "verify",
            )
            .await?;
        let pushed = match decide::verify_answer(a.status, &a.json) {
            Ok(p) => p,
            Err(NotPushed::Unusable(e)) => return Err(protocol("verify", e)),
            Err(NotPushed::NotWaiting(status, result)) => {
                return Err(CallError::new(
                    FailureKind::Protocol,
                    format!(
                        "verify: Okta answered HTTP {status} '{}' instead of 201 WAITING for a push; not an approval",
                        self.api.server_text(&result, 40)
                    ),
                ))
            }
        };
        let (poll, id) = self.transaction_link(&pushed.poll, uid, fid)?;
        let cancel = match pushed.cancel {
            Some(href) => {
                let (cancel, cancel_id) = self.transaction_link(&href, uid, fid)?;
                if cancel_id != id {
                    return Err(protocol(
                        "verify",
                        "the cancel link names another transaction",
                    ));
                }
                Some(cancel)
            }
            None => None,
        };
        // From here a push is on the phone: leaving before Okta decided withdraws it.
        let tx = Transaction {
            poll,
            withdraw: Withdraw::new(self.api.clone(), cancel, slot.clone()),
        };
        o.authentication_request_id = Some(id);
        let number = pushed.number.map_err(|e| protocol("verify", e))?;
        match number {
            Some(n) => progress.set(
                "pushed",
                &format!("an Okta Verify push was sent; the user must pick {n} on the phone"),
                Some(n.to_string()),
            ),
            None if self.number_challenge => {
                // Withdrawn as `tx` drops: the asker was promised a number to read to the user.
                return Err(CallError::new(
                    FailureKind::Protocol,
                    "verify: numberChallenge is set but Okta sent no number challenge (_embedded.challenge.correctAnswer); the push was withdrawn; not an approval",
                ));
            }
            None => progress.set(
                "pushed",
                "an Okta Verify push was sent to the user's phone",
                None,
            ),
        }
        Ok(tx)
    }

    /// An approval: `resolved` is the user id resolved before (a four-eyes request),
    /// else the user is looked up here (the same lookup, once); `slot` is armed once the
    /// push is out, so a push left waiting is withdrawn (crate::withdraw).
    async fn authenticate(
        &self,
        q: &Query,
        resolved: Option<&ResolvedUser>,
        progress: &Progress,
        slot: &WithdrawSlot,
    ) -> Outcome {
        let mut o = self.outcome(q);
        if q.mode.is_some() {
            o.set_failed(
                Status::Failed,
                FailureKind::Provider,
                "mode (-Mode) is an MFA Server setting; Okta pushes to Okta Verify: leave -Mode out; nothing was sent",
            );
            return o;
        }
        let user = q.user_name.as_deref().unwrap_or_default();
        progress.set(
            "checking",
            "looking up the user and its Okta Verify factor",
            None,
        );
        let uid = match resolved {
            Some(r) => r.0.clone(),
            None => match self.find_user(user, &mut o).await {
                Ok(Some(id)) => id,
                Ok(None) => {
                    o.set_failed(
                        Status::Failed,
                        FailureKind::Provider,
                        "Okta does not know this user (HTTP 404); no push was sent",
                    );
                    return o;
                }
                Err(e) => return self.failed(o, e),
            },
        };
        // The record says who: the user the push goes to.
        o.identity = Some(identity_of(&uid).shown());
        let fid = match self.find_push(&uid, &mut o).await {
            Ok(Some(id)) => id,
            Ok(None) => {
                o.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    "the user has no active Okta Verify push factor; no push was sent (the factor list follows the enrollment policy as seen by this API credential: enroll Okta Verify or check the policy)",
                );
                return o;
            }
            Err(e) => return self.failed(o, e),
        };
        let mut tx = match self.push(&uid, &fid, &mut o, progress, slot).await {
            Ok(t) => t,
            Err(e) => return self.failed(o, e),
        };
        let mut pace = crate::pace::Pace::default();
        loop {
            pace.ready().await;
            o.http_calls += 1;
            let answer = match self
                .api
                .call(Method::GET, &tx.poll, None, Retry::Safe, "poll")
                .await
            {
                Ok(a) => a,
                Err(e) => return self.failed(o, e),
            };
            let (verdict, result) =
                match decide::poll_decision(answer.status, &answer.json, tx.poll.as_str()) {
                    Ok(v) => v,
                    Err(e) => return self.failed(o, protocol("poll", e)),
                };
            let shown = self.api.server_text(&result, 40);
            o.data = Some(json!({ "factorResult": shown }));
            match verdict {
                Verdict::Waiting => {
                    progress.set(
                        "waiting",
                        "waiting for the user to answer the Okta Verify push",
                        None,
                    );
                    continue;
                }
                Verdict::Approved => {
                    tx.withdraw.disarm();
                    // The Okta decision: a 200 poll answer whose factorResult is SUCCESS.
                    o.approve_as_decided();
                    o.message = "approved in Okta Verify (SUCCESS)".into();
                }
                Verdict::Denied => {
                    tx.withdraw.disarm();
                    o.set_failed(
                        Status::Denied,
                        FailureKind::Provider,
                        "the user rejected the Okta Verify push (REJECTED)",
                    );
                }
                Verdict::TimedOut => {
                    tx.withdraw.disarm();
                    o.set_failed(
                        Status::TimedOut,
                        FailureKind::Provider,
                        "the Okta Verify push expired unanswered (TIMEOUT)",
                    );
                }
                Verdict::Failed => {
                    o.set_failed(
                        Status::Failed,
                        FailureKind::Provider,
                        format!("Okta answered '{shown}', which is not an approval"),
                    );
                }
            }
            return o;
        }
    }

    async fn query(&self, q: &Query) -> Outcome {
        let mut o = self.outcome(q);
        match q.operation {
            Operation::TestSecurity => {
                let mut url = self.api.url("/api/v1/users");
                url.set_query(Some("limit=1"));
                o.http_calls += 1;
                if let Err(e) = self
                    .api
                    .call(Method::GET, &url, None, Retry::Safe, "users")
                    .await
                {
                    return self.failed(o, e);
                }
                o.status = Status::Completed;
                o.message = "Okta answered an authenticated user listing".into();
                o.data = Some(json!({ "message": "Okta check succeeded" }));
            }
            Operation::UserExists | Operation::GetUserSettings => {
                let user = q.user_name.as_deref().unwrap_or_default();
                let uid = match self.find_user(user, &mut o).await {
                    Ok(v) => v,
                    Err(e) => return self.failed(o, e),
                };
                o.status = Status::Completed;
                if q.operation == Operation::UserExists {
                    o.message =
                        format!("user {}", if uid.is_some() { "found" } else { "not found" });
                    o.data = Some(json!({ "exists": uid.is_some() }));
                    return o;
                }
                let push = match &uid {
                    Some(id) => match self.find_push(id, &mut o).await {
                        Ok(p) => p,
                        Err(e) => return self.failed(o, e),
                    },
                    None => None,
                };
                o.message = format!(
                    "push factor {}",
                    if push.is_some() {
                        "active"
                    } else {
                        "not found"
                    }
                );
                o.data = Some(json!({ "userSettings": {
                    "Mode": "push",
                    "Exists": uid.is_some(),
                    "Enabled": push.is_some(),
                    "PhoneAppActivated": push.is_some(),
                    "UserId": uid,
                    "PushFactorId": push,
                }}));
            }
            Operation::GenerateActivationCode | Operation::Authenticate => {
                o.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "{} is not supported by the okta provider",
                        q.operation.name()
                    ),
                );
            }
        }
        o
    }
}

impl Provider for Okta {
    fn name(&self) -> &'static str {
        NAME
    }

    fn cancelled_message(&self) -> &'static str {
        "cancelled by the caller before an answer; not an approval (a pending Okta Verify push is withdrawn through Okta's cancel link; pushWithdrawn says whether Okta confirmed it)"
    }

    fn run<'a>(&'a self, query: &'a Query, progress: &'a Progress) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            match query.operation {
                Operation::Authenticate => {
                    self.authenticate(query, None, progress, &WithdrawSlot::default())
                        .await
                }
                _ => self.query(query).await,
            }
        })
    }

    fn resolves_identity(&self) -> bool {
        true
    }

    fn resolve<'a>(
        &'a self,
        query: &'a Query,
        _progress: &'a Progress,
    ) -> BoxFuture<'a, Result<Identity, Box<Outcome>>> {
        Box::pin(async move { self.identify(query).await.map_err(Box::new) })
    }

    fn approve<'a>(
        &'a self,
        query: &'a Query,
        identity: Option<&'a Identity>,
        progress: &'a Progress,
        withdraw: &'a WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            if query.operation != Operation::Authenticate {
                return self.query(query).await;
            }
            match crate::provider::resolved_as::<ResolvedUser>(NAME, query, identity) {
                Ok(resolved) => self.authenticate(query, resolved, progress, withdraw).await,
                Err(refused) => *refused,
            }
        })
    }
}

/// The Okta user an approver was resolved to (the push goes to this id).
#[derive(Debug, Clone)]
struct ResolvedUser(String);

/// The identity of the Okta user `uid` (already checked to be an Okta id).
fn identity_of(uid: &str) -> Identity {
    Identity::new()
        .with_key("okta-user", uid, format!("Okta user {uid}"))
        .with_resolved(ResolvedUser(uid.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_one_path_segment_whatever_they_hold() {
        assert_eq!(path_segment("alice@contoso.com"), "alice@contoso.com");
        assert_eq!(path_segment("a/../b?c#d%e f"), "a%2F..%2Fb%3Fc%23d%25e%20f");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
