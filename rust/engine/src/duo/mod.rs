//! The Duo provider (Auth API v2): an asynchronous push, then `auth_status` long-polled
//! until Duo decides.
//!
//! - [`config`]: what a `provider: duo` configuration must and must not set;
//! - [`sign`]: request signing (v5, v2) and the public vectors;
//! - [`api`]: signed calls, clock skew, bounded answers read by the strict JSON reader
//!   ([`crate::json`]), retries;
//! - [`decide`]: what the answers mean, fail closed.
//!
//! Flow of an approval: `ping` (clock skew) → `preauth` (`auth` goes on; `allow` is a
//! bypass, an approval only with `allowBypass`; `deny` and `enroll` end it with no push)
//! → `auth` (`factor=push`, `async=1`) → `auth_status` until `allow` or `deny`, at most once a
//! second when Duo answers at once ([`crate::pace`]). Duo has no
//! cancel call: cancelling stops waiting, and the push stays on the phone until it expires.

pub mod api;
pub mod build;
pub mod config;
pub mod decide;
pub mod identity;
pub mod spec;
/// Duo's signing and encodings live in the protocol crate (the simulator verifies with them).
pub(crate) use mfa_protocol::duo as sign;
use spec::NAME;

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::identity::Identity;
use crate::json::{JsonError, StrictValue};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::redact::Redactor;
use crate::request::{Operation, Query};
use crate::withdraw::WithdrawSlot;
use api::{Api, CallError, Retry};
use serde_json::{json, Value};
use sign::SignatureVersion;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The Duo provider.
#[derive(Debug)]
pub struct Duo {
    api: Api,
    redactor: Arc<Redactor>,
    allow_bypass: bool,
    application_name: String,
}

/// A string member that may be missing; another type is a protocol failure of `op`.
fn text<'a>(v: &'a StrictValue, key: &'static str, op: &str) -> Result<&'a str, CallError> {
    v.opt_str(key)
        .map(Option::unwrap_or_default)
        .map_err(|e| protocol(op, e))
}

/// A member the decision reads is missing or mistyped: a protocol failure, never a decision.
fn protocol(op: &str, e: JsonError) -> CallError {
    CallError::new(
        FailureKind::Protocol,
        format!("{op}: the answer is not usable ({e}); not an approval"),
    )
}

impl Duo {
    /// Builds the provider (TLS, proxy, keys).
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        let (http, timeout) = crate::transport::http_client(config, secrets)?;
        let base =
            reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
        let secret_key = secrets
            .duo_secret_key
            .as_ref()
            .map(|k| Zeroizing::new(k.as_str().to_owned()))
            .ok_or_else(|| ConfigError::new("duoSecretKey", "is required for provider duo"))?;
        let version = if config.signature_version == 2 {
            SignatureVersion::V2Sha512
        } else {
            SignatureVersion::V5
        };
        Ok(Self {
            api: Api::new(
                http,
                base,
                config.integration_key.clone().unwrap_or_default(),
                secret_key,
                version,
                timeout,
                redactor.clone(),
            ),
            redactor,
            allow_bypass: config.allow_bypass,
            application_name: config.application_name.clone(),
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

    fn server_text(
        &self,
        v: &StrictValue,
        key: &'static str,
        op: &str,
    ) -> Result<String, CallError> {
        Ok(self.redactor.server_text_within(text(v, key, op)?, 300))
    }

    async fn preauth(&self, q: &Query, o: &mut Outcome) -> Result<StrictValue, CallError> {
        let user = q.user_name.as_deref().unwrap_or_default();
        let mut params = vec![("username", user), ("client_supports_verified_push", "1")];
        if let Some(ip) = q.initiating_ip_address.as_deref().filter(|s| !s.is_empty()) {
            params.push(("ipaddr", ip));
        }
        if let Some(h) = q.hostname.as_deref() {
            params.push(("hostname", h));
        }
        o.http_calls += 1;
        self.api
            .call("POST", "/auth/v2/preauth", &params, true, Retry::Safe)
            .await
    }

    /// `ping` (clock skew, once) and `preauth`: the user's push devices and preauth's
    /// `txid` when Duo asks for a push; otherwise the outcome it ends with (bypass, deny,
    /// enroll, a failure). `four_eyes`: the request counts identities, so a user Duo lets
    /// through without a push (a bypass, no device) cannot be counted.
    async fn prepare(
        &self,
        q: &Query,
        o: &mut Outcome,
        four_eyes: bool,
    ) -> Result<(Vec<String>, String), Outcome> {
        let fail = |o: &mut Outcome, e: CallError| self.failed(o.clone(), e);
        match self.api.ensure_skew().await {
            Ok(calls) => o.http_calls += calls,
            Err(e) => return Err(fail(o, e)),
        }
        let pre = match self.preauth(q, o).await {
            Ok(v) => v,
            Err(e) => return Err(fail(o, e)),
        };
        let (result, status_msg) = match pre
            .str_field("result")
            .map_err(|e| protocol("preauth", e))
            .and_then(|r| Ok((r, self.server_text(&pre, "status_msg", "preauth")?)))
        {
            Ok(v) => v,
            Err(e) => return Err(fail(o, e)),
        };
        match result {
            "auth" => {}
            "allow" if four_eyes => {
                return Err(o.clone().fail(
                    Status::Failed,
                    FailureKind::Identity,
                    "Duo would let this user through WITHOUT a push (preauth allow: a bypass), so Duo names no device to tell who this is; a request that counts people cannot count them. Not asked, not an approval",
                ))
            }
            "allow" => {
                return Err(self.decided(
                    o.clone(),
                    decide::bypass(self.allow_bypass),
                    "preauth",
                    "bypass",
                    &status_msg,
                ))
            }
            "deny" => {
                return Err(o.clone().fail(
                    Status::Denied,
                    FailureKind::Provider,
                    format!("Duo refused the user before any push (preauth deny): {status_msg}"),
                ));
            }
            "enroll" => {
                return Err(o.clone().fail(Status::Failed, FailureKind::Provider, format!("the user is not enrolled in Duo (preauth enroll); no push was sent: {status_msg}. {}enroll the user in Duo (Duo Admin Panel, or an enrollment link), or check the user name (Duo's username or one of its aliases).", crate::next_step::MARKER)));
            }
            other => {
                return Err(o.clone().fail(
                    Status::Failed,
                    FailureKind::Protocol,
                    format!(
                        "preauth: unexpected result '{}'",
                        self.redactor.server_text_within(other, 40)
                    ),
                ));
            }
        }
        let devices = match identity::push_devices(&pre) {
            Ok(d) => d,
            Err(e) => return Err(fail(o, protocol("preauth", e))),
        };
        let txid = match text(&pre, "txid", "preauth") {
            Ok(t) => t.to_owned(),
            Err(e) => return Err(fail(o, e)),
        };
        Ok((devices, txid))
    }

    /// Who `q`'s user is: the push devices `preauth` lists, and the device the push will
    /// go to (`q.device` when it is one of them, else the first: what Duo's `auto` picks).
    async fn identify(&self, q: &Query) -> Result<Identity, Outcome> {
        let mut o = self.outcome(q);
        let (devices, txid) = self.prepare(q, &mut o, true).await?;
        let Some(device) = self.device_for(q, &devices) else {
            return Err(o.fail(
                Status::Failed,
                FailureKind::Identity,
                match q.device.as_deref() {
                    Some(d) if d != "auto" => format!("the device '{d}' (-Device) is not one of the devices Duo lists for this user that take a push; not asked, not an approval"),
                    _ => "Duo lists no device that takes a push for this user, so Duo cannot say who this is; not asked, not an approval (activate Duo Mobile for the user)".into(),
                },
            ));
        };
        let mut id = identity::identity_of(&devices, &device, &txid);
        id.http_calls = o.http_calls;
        Ok(id)
    }

    /// The device a push for `q` goes to, among the user's push `devices`.
    fn device_for(&self, q: &Query, devices: &[String]) -> Option<String> {
        match q.device.as_deref() {
            Some(d) if d != "auto" => devices.iter().find(|x| *x == d).cloned(),
            _ => devices.first().cloned(),
        }
    }

    /// An approval: `resolved` is the device resolved before (a four-eyes request), else
    /// `preauth` runs here (the same lookup, once).
    async fn authenticate(
        &self,
        q: &Query,
        resolved: Option<&identity::ResolvedDevice>,
        progress: &Progress,
    ) -> Outcome {
        let mut o = self.outcome(q);
        let (device, pre_txid) = match resolved {
            Some(r) => (r.device.clone(), r.txid.clone()),
            None => {
                progress.set("checking", "checking the user with Duo (preauth)", None);
                let (devices, txid) = match self.prepare(q, &mut o, false).await {
                    Ok(v) => v,
                    Err(ended) => return ended,
                };
                if !devices.is_empty() {
                    // The record says who: the devices the user's push can reach.
                    let first = devices[0].clone();
                    o.identity = Some(identity::identity_of(&devices, &first, "").shown());
                }
                // As given (Duo decides about a device it does not list), else Duo's auto.
                let device = match q.device.as_deref() {
                    Some(d) => d.to_owned(),
                    None => devices.first().cloned().unwrap_or_else(|| "auto".into()),
                };
                (device, txid)
            }
        };
        let user = q.user_name.as_deref().unwrap_or_default();
        let push_type = q
            .push_type
            .clone()
            .or_else(|| q.application_name.clone())
            .unwrap_or_else(|| self.application_name.clone());
        let push_info = q.push_info_encoded();
        let mut params = vec![
            ("username", user),
            ("factor", "push"),
            ("device", device.as_str()),
            ("async", "1"),
            ("type", push_type.as_str()),
        ];
        if !pre_txid.is_empty() {
            params.push(("txid", pre_txid.as_str()));
        }
        if !push_info.is_empty() {
            params.push(("pushinfo", push_info.as_str()));
        }
        if let Some(d) = q.display_user_name.as_deref() {
            params.push(("display_username", d));
        }
        if let Some(ip) = q.initiating_ip_address.as_deref().filter(|s| !s.is_empty()) {
            params.push(("ipaddr", ip));
        }
        if let Some(h) = q.hostname.as_deref() {
            params.push(("hostname", h));
        }
        o.http_calls += 1;
        let started = match self
            .api
            .call(
                "POST",
                "/auth/v2/auth",
                &params,
                true,
                Retry::OnlyIfNeverSent,
            )
            .await
        {
            Ok(v) => v,
            Err(e) => return self.failed(o, e),
        };
        let txid = started.str_field("txid").unwrap_or_default().to_owned();
        if txid.is_empty() || txid.len() > 128 {
            o.set_failed(
                Status::Failed,
                FailureKind::Protocol,
                "auth: the answer has no usable txid; not an approval",
            );
            return o;
        }
        o.authentication_request_id = Some(self.redactor.server_text_within(&txid, 128));
        progress.set("pushed", "a push was sent to the user's device", None);
        // Paced by time, whatever the answers say (see crate::pace).
        let mut pace = crate::pace::Pace::default();
        loop {
            pace.ready().await;
            o.http_calls += 1;
            let status = match self
                .api
                .call(
                    "GET",
                    "/auth/v2/auth_status",
                    &[("txid", txid.as_str())],
                    true,
                    Retry::Safe,
                )
                .await
            {
                Ok(v) => v,
                Err(e) => return self.failed(o, e),
            };
            let answer = match decide::read_auth_status(&status) {
                Ok(a) => a,
                Err(e) => return self.failed(o, protocol("auth_status", e)),
            };
            let (result, duo_status) = (answer.result.as_str(), answer.status.as_str());
            let message = self.redactor.server_text_within(&answer.status_msg, 300);
            if decide::is_waiting(result) {
                progress.set("waiting", &message, decide::verification_code(&message));
                continue;
            }
            return self.decided(
                o,
                decide::auth_status(result, duo_status, self.allow_bypass),
                result,
                duo_status,
                &message,
            );
        }
    }

    fn decided(
        &self,
        mut o: Outcome,
        d: decide::Decision,
        result: &str,
        status: &str,
        message: &str,
    ) -> Outcome {
        let result = self.redactor.server_text_within(result, 40);
        let status = self.redactor.server_text_within(status, 40);
        o.data = Some(json!({ "duoResult": result, "duoStatus": status }));
        if d.status == Status::Approved {
            o.approve_as_decided();
            o.message = if d.bypassed {
                o.warnings.push("Duo let this user through WITHOUT a push (bypass); accepted only because the connection sets allowBypass".into());
                format!("approved by bypass (no push): {message}")
            } else {
                format!("approved on the device: {message}")
            };
            o.failure_kind = FailureKind::Provider;
            return o;
        }
        let text = match (d.status, d.bypassed) {
            (Status::Failed, _) if status == "bypass" || result == "preauth" => {
                format!("Duo would let this user through WITHOUT a push (bypass); not an approval. {}a bypass counts only with -AllowBypass (allowBypass) on the connection, and then every such result warns; otherwise ask the Duo administrator to remove the bypass.", crate::next_step::MARKER)
            }
            _ => format!("Duo: {result}/{status}: {message}"),
        };
        o.set_failed(d.status, d.kind, text);
        o
    }

    /// A preauth answer's result and devices, read strictly (mistyped members fail).
    fn user_settings(&self, pre: &StrictValue) -> Result<(String, Vec<Value>), CallError> {
        let op = "preauth";
        let result = pre.str_field("result").map_err(|e| protocol(op, e))?;
        let result = self.redactor.server_text_within(result, 40);
        let mut devices = Vec::new();
        for d in pre
            .opt_array("devices")
            .map_err(|e| protocol(op, e))?
            .iter()
            .take(20)
        {
            if !matches!(d, StrictValue::Object(_)) {
                return Err(protocol(op, JsonError::NotObject("a device")));
            }
            devices.push(json!({
                "device": self.server_text(d, "device", op)?,
                "type": self.server_text(d, "type", op)?,
                "name": self.server_text(d, "name", op)?,
                "displayName": self.server_text(d, "display_name", op)?,
            }));
        }
        Ok((result, devices))
    }

    async fn query(&self, q: &Query) -> Outcome {
        let mut o = self.outcome(q);
        match q.operation {
            Operation::TestSecurity => {
                o.http_calls += 2;
                let time = match self.api.ping().await {
                    Ok(t) => t,
                    Err(e) => return self.failed(o, e),
                };
                if let Err(e) = self
                    .api
                    .call("GET", "/auth/v2/check", &[], true, Retry::Safe)
                    .await
                {
                    return self.failed(o, e);
                }
                o.status = Status::Completed;
                o.message = "Duo ping and a signed check succeeded".into();
                o.data = Some(
                    json!({ "message": "Duo check succeeded", "serverTime": time, "clockSkewSeconds": self.api.skew_seconds() }),
                );
            }
            Operation::UserExists | Operation::GetUserSettings => {
                match self.api.ensure_skew().await {
                    Ok(calls) => o.http_calls += calls,
                    Err(e) => return self.failed(o, e),
                }
                let pre = match self.preauth(q, &mut o).await {
                    Ok(v) => v,
                    Err(e) => return self.failed(o, e),
                };
                let (result, devices) = match self.user_settings(&pre) {
                    Ok(v) => v,
                    Err(e) => return self.failed(o, e),
                };
                let exists = matches!(result.as_str(), "auth" | "allow" | "deny");
                o.status = Status::Completed;
                o.message = format!("preauth: {result}");
                o.data = Some(if q.operation == Operation::UserExists {
                    json!({ "exists": exists, "preauthResult": result })
                } else {
                    json!({ "userSettings": { "Mode": "push", "Enabled": result == "auth", "PhoneAppActivated": !devices.is_empty(), "PreauthResult": result, "Devices": devices } })
                });
            }
            Operation::GenerateActivationCode | Operation::Authenticate => {
                o.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "{} is not supported by the duo provider",
                        q.operation.name()
                    ),
                );
            }
        }
        o
    }
}

impl Provider for Duo {
    fn name(&self) -> &'static str {
        NAME
    }

    fn cancelled_message(&self) -> &'static str {
        "cancelled by the caller before an answer; not an approval (Duo has no cancel call: a push already sent stays on the phone until it expires, and no longer approves anything)"
    }

    fn run<'a>(&'a self, query: &'a Query, progress: &'a Progress) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            match query.operation {
                Operation::Authenticate => self.authenticate(query, None, progress).await,
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
        who: Option<&'a Identity>,
        progress: &'a Progress,
        _withdraw: &'a WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            match crate::provider::resolved_as::<identity::ResolvedDevice>(NAME, query, who) {
                Ok(None) => self.run(query, progress).await,
                Ok(Some(device)) => self.authenticate(query, Some(device), progress).await,
                Err(refused) => *refused,
            }
        })
    }
}
