//! The privacyIDEA provider (privacyIDEA 3.x push tokens, its Authenticator app): a service
//! account starts a push challenge for the approver, the engine polls the transaction, and
//! only privacyIDEA's final check decides.
//!
//! - [`config`]: its configuration checks (`realm`, `responseSigningKeyFile`); `spec`: its registry entry (data), `build`: its constructor;
//! - [`auth`]: the service account's session (`POST /auth`, the token reused until it expires);
//! - [`api`]: bounded calls, a nonce per call, signed answers checked, retries;
//! - [`signature`]: what privacyIDEA signs and the RSA-PSS check of it;
//! - [`decide`]: what the answers mean, fail closed;
//! - [`identity`]: a name resolved to privacyIDEA's user (id, resolver, realm) and push tokens.
//!
//! Flow of an approval (privacyIDEA 3.14, `privacyidea/api/validate.py`): `POST /auth` (the
//! service account's token, once per connection and then on expiry) → `POST
//! /validate/triggerchallenge` (`user`, `realm`, `type=push`; the service account needs the
//! admin right `triggerchallenge`) → `GET /validate/polltransaction` (anonymous), at most once
//! a second (`crate::pace`), until `accept`, `declined` or `cancelled` → for `accept`, `POST
//! /validate/check` (`user`, `realm`, empty `pass`, `transaction_id`), whose `ACCEPT` with
//! `value: true` is the only approval. A request that stops waiting before privacyIDEA decided
//! (cancelled, past its deadline, decided by other approvers, a refused answer) withdraws the
//! challenge with `DELETE /token/challenges/transaction/<id>` (the admin right
//! `cancelchallenge`) through the approver's `crate::withdraw::WithdrawSlot`, within
//! `crate::withdraw::WITHDRAW_GRACE`: the outcome's `pushWithdrawn` says whether privacyIDEA
//! removed it. Without that right the challenge stays answerable until it expires
//! (privacyIDEA's `PushChallengeValidityTime`, 120 s by default; `pushWithdrawn` false), but
//! nothing reads its answer any more.

pub mod api;
pub mod auth;
pub mod build;
pub mod config;
pub mod decide;
pub mod identity;
pub mod signature;
pub mod spec;

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::redact::Redactor;
use crate::request::{Operation, Query};
use crate::withdraw::{WithdrawSlot, WITHDRAW_GRACE};
use api::{Answer, Api, CallError, Retry};
use auth::Session;
use decide::{Check, Poll};
use identity::ResolvedUser;
use reqwest::{Method, Url};
use serde_json::json;
use signature::SigningKey;
use std::sync::Arc;

pub use config::NAME;

/// The largest response signing key file read (a PEM public key is under 2 KiB).
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// The privacyIDEA provider.
#[derive(Debug)]
pub struct PrivacyIdea {
    api: Arc<Api>,
    session: Arc<Session>,
    realm: String,
}

/// The challenge that is waiting: withdrawn when dropped while armed (the request stopped
/// waiting before privacyIDEA decided): a `DELETE` on the runtime within [`WITHDRAW_GRACE`],
/// its answer reported to the approver's slot when a push is among the challenges (other
/// token types' challenges of the same transaction are withdrawn too, unreported).
struct Withdraw {
    api: Arc<Api>,
    session: Arc<Session>,
    transaction: Option<String>,
    slot: WithdrawSlot,
}

impl Withdraw {
    fn new(
        api: Arc<Api>,
        session: Arc<Session>,
        transaction: Option<String>,
        push: bool,
        slot: &WithdrawSlot,
    ) -> Self {
        // Only a push out on a phone is reported; a slot of its own otherwise.
        let slot = if push && transaction.is_some() {
            slot.arm();
            slot.clone()
        } else {
            WithdrawSlot::default()
        };
        Self {
            api,
            session,
            transaction,
            slot,
        }
    }

    /// privacyIDEA decided (or consumed the challenge): nothing to withdraw.
    fn disarm(&mut self) {
        self.transaction = None;
        self.slot.disarm();
    }
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        let Some(tx) = self.transaction.take() else {
            return;
        };
        let report = self.slot.is_armed();
        if report {
            self.slot.sending();
        }
        let slot = self.slot.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            if report {
                slot.sent(false, "the engine was shutting down");
            }
            return;
        };
        let (api, session) = (self.api.clone(), self.session.clone());
        runtime.spawn(async move {
            let (withdrawn, why) =
                match tokio::time::timeout(WITHDRAW_GRACE, cancel_challenge(&api, &session, &tx))
                    .await
                {
                    Ok(Ok(0)) => (
                        false,
                        "privacyIDEA had no open challenge left to remove".to_owned(),
                    ),
                    Ok(Ok(_)) => (true, String::new()),
                    Ok(Err(e)) => (false, rights(e, "cancelchallenge").into_message()),
                    Err(_) => (
                        false,
                        format!(
                            "privacyIDEA did not answer the withdraw within {} s",
                            WITHDRAW_GRACE.as_secs()
                        ),
                    ),
                };
            if report {
                slot.sent(withdrawn, why);
            }
        });
    }
}

/// `DELETE /token/challenges/transaction/<tx>` as the service account (a reused token that is
/// refused is replaced once): how many challenges privacyIDEA removed.
async fn cancel_challenge(api: &Api, session: &Session, tx: &str) -> Result<u64, CallError> {
    let url = api.url("/token/challenges/transaction", Some(tx));
    let token = session.token(api).await?;
    let (method, retry, op) = (Method::DELETE, Retry::Withdraw, "cancelchallenge");
    let first = api
        .call(method.clone(), &url, &[], Some(&token.value), retry, op)
        .await;
    let answer = match first {
        Err(e) if e.status() == Some(401) && !token.fresh => {
            session.forget(&token.value).await;
            let token = session.token(api).await?;
            api.call(method, &url, &[], Some(&token.value), retry, op)
                .await?
        }
        other => other?,
    };
    decide::withdrawn(&answer.doc).map_err(|e| protocol("cancelchallenge", e))
}

impl PrivacyIdea {
    /// Builds the provider: TLS, proxy, the service account, the response signing key
    /// (read now, so a wrong file is an error of the connection).
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        let (http, timeout) = crate::transport::http_client(config, secrets)?;
        let base = Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
        let realm = config
            .realm
            .clone()
            .ok_or_else(|| ConfigError::new("realm", "is required for provider privacyidea"))?;
        let key = match &config.response_signing_key_file {
            Some(path) => Some(read_key(path)?),
            None => None,
        };
        let user = config
            .user_name
            .as_deref()
            .ok_or_else(|| ConfigError::new("userName", "is required for provider privacyidea"))?;
        let password = secrets.basic_password.as_ref().ok_or_else(|| {
            ConfigError::new("basicPassword", "is required for provider privacyidea")
        })?;
        Ok(Self {
            api: Arc::new(Api::new(http, base, timeout, redactor, key)),
            session: Arc::new(Session::new(user, password)),
            realm,
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
        let kind = e.kind();
        let message = match spec::next_step(kind) {
            Some(step) if !e.message().contains(crate::next_step::MARKER) => {
                format!(
                    "{}. {}{step}",
                    e.message().trim_end_matches('.'),
                    crate::next_step::MARKER
                )
            }
            _ => e.into_message(),
        };
        o.set_failed(status, kind, message);
        o
    }

    /// A call as the service account; a reused token that is refused (401) is replaced once.
    async fn admin_call(
        &self,
        method: Method,
        url: &Url,
        params: &[(&str, &str)],
        retry: Retry,
        op: &'static str,
        o: &mut Outcome,
    ) -> Result<Answer, CallError> {
        let token = self.session.token(&self.api).await?;
        o.http_calls += 1 + u32::from(token.fresh);
        let first = self
            .api
            .call(method.clone(), url, params, Some(&token.value), retry, op)
            .await;
        match first {
            Err(e) if e.status() == Some(401) && !token.fresh => {
                self.session.forget(&token.value).await;
                let token = self.session.token(&self.api).await?;
                o.http_calls += 2;
                self.api
                    .call(method, url, params, Some(&token.value), retry, op)
                    .await
            }
            other => other,
        }
    }

    /// `name` as privacyIDEA resolves it in the connection's realm (`None`: no such user):
    /// the user's id, resolver and realm, and its usable push tokens.
    pub async fn resolve(
        &self,
        name: &str,
        o: &mut Outcome,
    ) -> Result<Option<ResolvedUser>, CallError> {
        identity::check_name(name)?;
        let url = self.api.url("/user/", None);
        let params = [("username", name), ("realm", self.realm.as_str())];
        let users = self
            .admin_call(Method::GET, &url, &params, Retry::Safe, "user", o)
            .await
            .map_err(|e| rights(e, "userlist"))?;
        let Some(mut user) = identity::user_of(&users.doc, &self.realm)? else {
            return Ok(None);
        };
        let url = self.api.url("/token/", None);
        let params = [
            ("user", user.login.as_str()),
            ("realm", self.realm.as_str()),
            ("type", "push"),
            ("pagesize", "50"),
        ];
        let tokens = self
            .admin_call(Method::GET, &url, &params, Retry::Safe, "token", o)
            .await
            .map_err(|e| rights(e, "tokenlist"))?;
        user.push_serials = identity::push_serials_of(&tokens.doc, &user)?;
        Ok(Some(user))
    }

    /// Who the approver is, as privacyIDEA resolves them (four eyes): the user in its
    /// resolver, whatever spelling found them; a name privacyIDEA does not know is not
    /// asked (its outcome says why). A known user without a push token is still someone:
    /// excluding them works, and asking them fails at the push.
    async fn identify(&self, q: &Query) -> Result<crate::identity::Identity, Outcome> {
        let mut o = self.outcome(q);
        let name = q.user_name.as_deref().unwrap_or_default();
        match self.resolve(name, &mut o).await {
            Ok(Some(user)) => {
                let shown = self.api.server_text(&user.shown(), None, 120);
                let mut id = user.into_identity(shown);
                id.http_calls = o.http_calls;
                Ok(id)
            }
            Ok(None) => Err(o.fail(
                Status::Failed,
                FailureKind::Provider,
                format!(
                    "privacyIDEA does not know this user in the realm '{}'; no push was sent. {}check the user name (as privacyIDEA's user store spells it) and -Realm (realm).",
                    self.realm,
                    crate::next_step::MARKER
                ),
            )),
            Err(e) => Err(self.failed(o, e)),
        }
    }

    /// An approval for `q`, pushed to `login` when four eyes resolved the approver (the
    /// login privacyIDEA answered with: exactly the user resolved), else to the name asked.
    async fn authenticate(
        &self,
        q: &Query,
        login: Option<&str>,
        progress: &Progress,
        slot: &WithdrawSlot,
    ) -> Outcome {
        let mut o = self.outcome(q);
        if q.mode.is_some() {
            o.set_failed(
                Status::Failed,
                FailureKind::Provider,
                "mode (-Mode) is an MFA Server setting; privacyIDEA pushes to its Authenticator app: leave -Mode out; nothing was sent",
            );
            return o;
        }
        let user = login.unwrap_or_else(|| q.user_name.as_deref().unwrap_or_default());
        progress.set("checking", "asking privacyIDEA for a push challenge", None);
        let url = self.api.url("/validate/triggerchallenge", None);
        let params = [
            ("user", user),
            ("realm", self.realm.as_str()),
            ("type", "push"),
        ];
        let answer = match self
            .admin_call(
                Method::POST,
                &url,
                &params,
                Retry::OnlyIfRefused,
                "triggerchallenge",
                &mut o,
            )
            .await
        {
            Ok(a) => a,
            Err(e) if e.code() == Some(904) => {
                o.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "privacyIDEA does not know this user in the realm '{}' (error 904); no push was sent. {}check the user name (as privacyIDEA's user store spells it) and -Realm (realm).",
                        self.realm,
                        crate::next_step::MARKER
                    ),
                );
                return o;
            }
            Err(e) => return self.failed(o, rights(e, "triggerchallenge")),
        };
        let trigger = match decide::trigger(&answer.doc) {
            Ok(t) => t,
            Err(e) => return self.failed(o, protocol("triggerchallenge", e)),
        };
        // From here a challenge may be on a phone: leaving before privacyIDEA decided withdraws it.
        let mut withdraw = Withdraw::new(
            self.api.clone(),
            self.session.clone(),
            trigger.transaction_id.clone(),
            !trigger.push.is_empty(),
            slot,
        );
        o.authentication_request_id = trigger.transaction_id.clone();
        let Some(tx) = trigger
            .transaction_id
            .clone()
            .filter(|_| !trigger.push.is_empty())
        else {
            let others = if trigger.others > 0 {
                " (the challenges privacyIDEA started for the user's other tokens are withdrawn)"
            } else {
                ""
            };
            o.set_failed(
                Status::Failed,
                FailureKind::Provider,
                format!(
                    "the user has no active privacyIDEA push token; no push was sent{others}. {}enrol the privacyIDEA Authenticator for the user (a push token, poll-only or with Firebase), or check that the token is active.",
                    crate::next_step::MARKER
                ),
            );
            return o;
        };
        if trigger.push.iter().any(|c| c.client_mode != "poll") {
            o.set_failed(
                Status::Failed,
                FailureKind::Provider,
                format!(
                    "privacyIDEA asks the person to type a code from the phone into the asker (push_code_to_phone), which MfaApproval cannot do; the push was withdrawn. {}turn off the authentication policy push_code_to_phone for these users.",
                    crate::next_step::MARKER
                ),
            );
            return o;
        }
        let serials: Vec<String> = trigger.push.iter().map(|c| c.serial.clone()).collect();
        let presence = trigger.push.iter().find_map(|c| c.presence_answer.clone());
        match &presence {
            Some(code) => progress.set(
                "pushed",
                &format!("a privacyIDEA push was sent; the user must pick {code} on the phone"),
                Some(code.clone()),
            ),
            None => progress.set(
                "pushed",
                "a privacyIDEA push was sent to the user's phone",
                None,
            ),
        }
        // While it waits, the message still names the option to pick (the asker may read the
        // progress only after the first poll).
        let waiting = match &presence {
            Some(code) => format!(
                "waiting for the user to answer the privacyIDEA push; the user must pick {code} on the phone"
            ),
            None => "waiting for the user to answer the privacyIDEA push".to_owned(),
        };
        let mut pace = crate::pace::Pace::default();
        let poll_url = self.api.url("/validate/polltransaction", None);
        let status = loop {
            pace.ready().await;
            o.http_calls += 1;
            let answer = match self
                .api
                .call(
                    Method::GET,
                    &poll_url,
                    &[("transaction_id", tx.as_str())],
                    None,
                    Retry::Safe,
                    "polltransaction",
                )
                .await
            {
                Ok(a) => a,
                Err(e) => return self.failed(o, e),
            };
            match decide::poll(&answer.doc) {
                Ok(Poll::Pending) => {
                    progress.set("waiting", &waiting, None);
                }
                Ok(p) => break p,
                Err(e) => return self.failed(o, protocol("polltransaction", e)),
            }
        };
        let shown = match status {
            Poll::Declined => "declined",
            Poll::Cancelled => "cancelled",
            _ => "accept",
        };
        o.data = Some(json!({ "challengeStatus": shown }));
        if status != Poll::Accept {
            withdraw.disarm();
            o.set_failed(
                Status::Denied,
                FailureKind::Provider,
                format!("the user declined the privacyIDEA push ({shown})"),
            );
            return o;
        }
        let check_url = self.api.url("/validate/check", None);
        let params = [
            ("user", user),
            ("realm", self.realm.as_str()),
            ("pass", ""),
            ("transaction_id", tx.as_str()),
        ];
        o.http_calls += 1;
        let answer = self
            .api
            .call(
                Method::POST,
                &check_url,
                &params,
                None,
                Retry::OnlyIfRefused,
                "check",
            )
            .await;
        // The check consumes the challenge: nothing is left to withdraw, whatever it said.
        withdraw.disarm();
        let answer = match answer {
            Ok(a) => a,
            Err(e) => return self.failed(o, e),
        };
        let verdict = match decide::check(&answer.doc, &serials) {
            Ok(v) => v,
            Err(e) => return self.failed(o, protocol("check", e)),
        };
        let authentication = answer
            .result()
            .get("authentication")
            .and_then(|v| v.as_str())
            .map(|a| self.api.server_text(a, None, 20))
            .unwrap_or_default();
        o.data = Some(json!({ "challengeStatus": shown, "authentication": authentication }));
        match verdict {
            Check::Accept => {
                // The privacyIDEA decision: the final check's ACCEPT with value true.
                o.approve_as_decided();
                o.message = "approved in the privacyIDEA Authenticator (ACCEPT)".into();
            }
            Check::Declined => o.set_failed(
                Status::Denied,
                FailureKind::Provider,
                "the user declined the privacyIDEA push (DECLINED)",
            ),
            Check::Rejected => o.set_failed(
                Status::Failed,
                FailureKind::Provider,
                format!("privacyIDEA reported the push answered, but its final check said {authentication}; not an approval"),
            ),
        }
        o
    }

    async fn query(&self, q: &Query) -> Outcome {
        let mut o = self.outcome(q);
        match q.operation {
            Operation::TestSecurity => {
                o.http_calls += 1;
                let rights = match self.session.rights(&self.api).await {
                    Ok(r) => r,
                    Err(e) => return self.failed(o, e),
                };
                let has = |right: &str| rights.iter().any(|r| r == right);
                if !has("triggerchallenge") {
                    return self.failed(
                        o,
                        rights_missing(CallError::new(
                            FailureKind::Authentication,
                            "privacyIDEA accepted the service account, but it may not trigger challenges (no triggerchallenge right)",
                        ), "triggerchallenge"),
                    );
                }
                if !has("cancelchallenge") {
                    o.warnings.push("the privacyIDEA service account has no cancelchallenge right: pushes nobody waits for any more stay on the phones until they expire".into());
                }
                o.status = Status::Completed;
                o.message =
                    "privacyIDEA accepted the service account, which may trigger challenges".into();
                let shown: Vec<String> = rights
                    .iter()
                    .map(|r| self.api.server_text(r, None, 40))
                    .collect();
                o.data = Some(json!({ "message": "privacyIDEA check succeeded", "rights": shown }));
            }
            Operation::UserExists | Operation::GetUserSettings => {
                let name = q.user_name.as_deref().unwrap_or_default();
                let user = match self.resolve(name, &mut o).await {
                    Ok(u) => u,
                    Err(e) => return self.failed(o, e),
                };
                o.status = Status::Completed;
                if q.operation == Operation::UserExists {
                    o.message = format!(
                        "user {}",
                        if user.is_some() { "found" } else { "not found" }
                    );
                    o.data = Some(json!({ "exists": user.is_some() }));
                    return o;
                }
                let push = user.as_ref().is_some_and(|u| !u.push_serials.is_empty());
                o.message = format!("push token {}", if push { "active" } else { "not found" });
                o.data = Some(json!({ "userSettings": {
                    "Mode": "push",
                    "Exists": user.is_some(),
                    "Enabled": push,
                    "PhoneAppActivated": push,
                    "UserId": user.as_ref().map(|u| u.user_id.clone()),
                    "Resolver": user.as_ref().map(|u| u.resolver.clone()),
                    "Realm": user.as_ref().map(|u| u.realm.clone()),
                    "PushSerials": user.as_ref().map(|u| u.push_serials.clone()).unwrap_or_default(),
                }}));
            }
            Operation::GenerateActivationCode | Operation::Authenticate => {
                o.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "{} is not supported by the privacyidea provider",
                        q.operation.name()
                    ),
                );
            }
        }
        o
    }
}

/// A member the decision reads is missing, mistyped or contradicts another: a protocol
/// failure, never a decision.
fn protocol(op: &str, e: impl std::fmt::Display) -> CallError {
    CallError::new(
        FailureKind::Protocol,
        format!("{op}: the answer is not usable ({e}); not an approval"),
    )
}

/// A 403 names the admin right the service account lacks.
fn rights(e: CallError, right: &str) -> CallError {
    if e.status() == Some(403) {
        rights_missing(e, right)
    } else {
        e
    }
}

/// `e` with the next step: give the service account `right`.
fn rights_missing(e: CallError, right: &str) -> CallError {
    e.map_message(|m| {
        format!(
            "{}. {}give the service account the admin right {right} in a privacyIDEA admin policy (scope admin, adminuser the service account).",
            m.trim_end_matches('.'),
            crate::next_step::MARKER
        )
    })
}

/// Reads the response signing key file (bounded), naming the field on any problem.
fn read_key(path: &str) -> Result<SigningKey, ConfigError> {
    let field = "responseSigningKeyFile";
    let pem = crate::file::read_bounded(
        field,
        path,
        MAX_KEY_FILE_BYTES,
        "the PEM public key file (the server's PI_AUDIT_KEY_PUBLIC)",
    )?;
    SigningKey::from_pem(mfa_protocol::text::without_utf8_bom(&pem))
        .map_err(|p| ConfigError::new(field, p))
}

impl Provider for PrivacyIdea {
    fn name(&self) -> &'static str {
        NAME
    }

    fn cancelled_message(&self) -> &'static str {
        "cancelled by the caller before an answer; not an approval (a pending privacyIDEA push is withdrawn with cancelchallenge; pushWithdrawn says whether privacyIDEA removed it)"
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
    ) -> BoxFuture<'a, Result<crate::identity::Identity, Box<Outcome>>> {
        Box::pin(async move { self.identify(query).await.map_err(Box::new) })
    }

    fn approve<'a>(
        &'a self,
        query: &'a Query,
        identity: Option<&'a crate::identity::Identity>,
        progress: &'a Progress,
        withdraw: &'a WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            if query.operation != Operation::Authenticate {
                return self.query(query).await;
            }
            match crate::provider::resolved_as::<ResolvedUser>(NAME, query, identity) {
                Ok(user) => {
                    let login = user.map(|u| u.login.as_str());
                    self.authenticate(query, login, progress, withdraw).await
                }
                Err(refused) => *refused,
            }
        })
    }
}
