//! The MfaApproval engine: asks an MFA provider to push an approval to a user and
//! reports a typed, fail-closed [`Outcome`].
//!
//! The public surface is small: [`Client`] (one per configuration), [`ClientConfig`] and
//! [`Secrets`], a [`Query`] (one approval or query) and its [`approval`] rules, the [`Outcome`], and the
//! [`capabilities`] hosts read instead of copying rules. Inside (private, one concern each):
//! - `check` (the field checks, a leaf), `config` and `validate`: the configuration;
//! - `registry`: each provider's description (plain data, below the providers: fields,
//!   secrets, capabilities, next steps) and, in `registry::build` above them, how each is
//!   checked and built;
//! - `request`: what one approval or query asks for, validated;
//! - [`approval`]: approvers (distinct people), require, the quorum decision;
//! - [`identity`]: who a name is, as the provider resolves it (four eyes count identities);
//! - [`outcome`]: the typed result and the one rule that may approve (fail closed);
//! - `pace`: polls paced by time (at most once a second when a server answers at once);
//! - `next_step`: the `Next:` sentence every failure kind's message ends with;
//! - `redact`: server text bounded, cleaned and redacted of secrets before any message;
//! - `file`: the one bounded reader of every file a configuration names (regular files only);
//! - `tls`, `proxy` and `transport`: one reusable HTTPS client per configuration, pinning,
//!   extra CA, client certificates, proxies, caller authentication;
//! - `provider`, `mfaserver`, `duo`, `radius`, `okta` and `privacyidea`: the provider interface and
//!   its implementations;
//! - `progress`: what a pending request is doing; [`audit`]: the audit trail (hash-chained
//!   records in a file, syslog, the Windows Event Log through a host's sink; its verifier);
//! - [`withdraw`]: a push is withdrawn when its request stops waiting, and the outcome says so;
//! - `mfa_protocol` (its own crate, shared with the simulator): the bounded XML reader,
//!   the strict JSON reader, SOAP 1.1, the CallResult table, Duo's signing and encodings,
//!   dates, limits.
//!
//! This crate contains no `unsafe` code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The public surface: the client, its configuration, the request and its approval, the
// outcome and the capabilities. Everything else is how the engine gets there, and private.
pub mod approval;
mod approvers;
pub mod audit;
pub mod capabilities;
pub mod client;
pub mod config;
pub mod identity;
pub mod outcome;

mod check;
mod duo;
pub mod end;
mod error;
mod failure;
mod file;
mod mfaserver;
mod next_step;
mod okta;
mod pace;
mod privacyidea;
mod progress;
mod provider;
mod proxy;
mod radius;
mod redact;
mod registry;
mod request;
mod tls;
mod transport;
mod validate;
pub mod withdraw;

// The wire formats live in `mfa-protocol` (shared with the simulator); imported at the
// crate root so the providers name them as `crate::soap`, `crate::xml`, `crate::json`, `crate::codes`.
use mfa_protocol::{codes, json, soap, xml};

pub use check::ConfigError;
pub use client::Client;
pub use config::{ClientConfig, Secrets};
pub use end::{HostEnd, RequestEnd};
pub use outcome::{Outcome, Status};
pub use progress::{Progress, Snapshot};
pub use request::{Operation, Query};
pub use withdraw::Withdrawals;

/// Entry points for the engine's own fuzz targets, property tests and benchmarks: a
/// provider's exact decision path over bytes, with no network. Not a stable API.
#[doc(hidden)]
pub mod testing {
    pub use crate::audit::AUDIT_WRITE_BOUND;
    pub use crate::duo::decide::{auth_status_body as decide_duo_status_body, Decision};
    use crate::outcome::{FailureKind, Status};
    pub use crate::provider::{BoxFuture, Provider};
    pub use crate::redact::{Redactor, MAX_SCAN_BYTES};

    /// Reads an Okta poll answer (`status`, `body`) of the transaction at `poll` exactly as
    /// the provider does: the status it ends the request with (`None`: keep polling), or why
    /// the answer is refused.
    pub fn decide_okta_poll_body(
        status: u16,
        body: &[u8],
        poll: &str,
    ) -> Result<Option<Status>, String> {
        let doc = if body.iter().all(u8::is_ascii_whitespace) {
            crate::json::StrictValue::Null
        } else {
            crate::json::StrictValue::parse(body).map_err(|e| e.to_string())?
        };
        use crate::okta::decide::{poll_decision, Verdict};
        Ok(match poll_decision(status, &doc, poll)?.0 {
            Verdict::Waiting => None,
            Verdict::Approved => Some(Status::Approved),
            Verdict::Denied => Some(Status::Denied),
            Verdict::TimedOut => Some(Status::TimedOut),
            Verdict::Failed => Some(Status::Failed),
        })
    }

    /// Reads a privacyIDEA `/validate/check` answer (HTTP 200 with `body`) to the call that
    /// sent `nonce`, for the push tokens `serials`, exactly as the provider does (with the
    /// response signing key `key_pem` pinned, when given): the status it ends the request
    /// with, or why the answer is refused.
    pub fn decide_privacyidea_check_body(
        body: &[u8],
        nonce: &str,
        serials: &[String],
        key_pem: Option<&[u8]>,
    ) -> Result<Status, String> {
        use crate::privacyidea::decide::{self, Check, Unread};
        let key = key_pem
            .map(crate::privacyidea::signature::SigningKey::from_pem)
            .transpose()?;
        let doc = decide::read_answer(body, Some(nonce), key.as_ref()).map_err(|e| match e {
            Unread::Refused(why) => why,
            Unread::Error(code, _) => format!("privacyIDEA error {code:?}"),
        })?;
        Ok(match decide::check(&doc, serials)? {
            Check::Accept => Status::Approved,
            Check::Declined => Status::Denied,
            Check::Rejected => Status::Failed,
        })
    }

    /// Checks a privacyIDEA answer's signature with the PEM public key `key_pem`, over the
    /// text the provider reproduces from `body`.
    pub fn verify_privacyidea_signature(key_pem: &[u8], body: &[u8]) -> Result<(), String> {
        let key = crate::privacyidea::signature::SigningKey::from_pem(key_pem)?;
        crate::privacyidea::signature::verify(&key, body).map_err(|e| e.to_string())
    }

    /// A checker of privacyIDEA answers' signatures with the PEM public key `key_pem`, the key
    /// read once (benchmarks).
    pub fn privacyidea_signature_checker(
        key_pem: &[u8],
    ) -> Result<impl Fn(&[u8]) -> Result<(), String>, String> {
        let key = crate::privacyidea::signature::SigningKey::from_pem(key_pem)?;
        Ok(move |body: &[u8]| {
            crate::privacyidea::signature::verify(&key, body).map_err(|e| e.to_string())
        })
    }

    /// The privacyIDEA provider's RSASSA-PSS SHA-256 check (any salt length) with the PEM
    /// public key `key_pem` read once, for benchmarks: `(message, signature)`.
    pub fn privacyidea_pss_verifier(
        key_pem: &[u8],
    ) -> Result<impl Fn(&[u8], &[u8]) -> bool, String> {
        let key = crate::privacyidea::signature::SigningKey::from_pem(key_pem)?;
        Ok(move |message: &[u8], signature: &[u8]| key.verify_pss(message, signature).is_ok())
    }

    /// Checks an RSASSA-PSS SHA-256 signature (any salt length) of `message` with the PEM
    /// public key `key_pem`, as the privacyIDEA provider does.
    pub fn verify_rsa_pss_sha256(
        key_pem: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let key = crate::privacyidea::signature::SigningKey::from_pem(key_pem)?;
        key.verify_pss(message, signature)
            .map_err(|e| e.to_string())
    }

    /// Resolves `name` with a privacyIDEA connection as four eyes will: privacyIDEA's
    /// identity of the person (realm, resolver, user id), the login it answered with, and
    /// the serials of the person's usable push tokens (`None`: no such user).
    pub async fn resolve_privacyidea_user(
        config: &crate::ClientConfig,
        secrets: crate::Secrets,
        name: &str,
    ) -> Result<Option<(String, String, Vec<String>)>, String> {
        config.validate(&secrets).map_err(|e| e.to_string())?;
        let redactor = std::sync::Arc::new(crate::redact::Redactor::default());
        let pi = crate::privacyidea::PrivacyIdea::new(config, &secrets, redactor)
            .map_err(|e| e.to_string())?;
        let mut o = crate::Outcome::new("userExists", "privacyidea", name, true);
        let user = pi
            .resolve(name, &mut o)
            .await
            .map_err(|e| e.into_message())?;
        Ok(user.map(|u| (u.identity(), u.login, u.push_serials)))
    }

    /// Reads an Okta verify answer (`status`, `body`) exactly as the provider does: the poll
    /// link, the cancel link and the number challenge of the push it started, or why it
    /// started none the provider may wait for (the links are then checked against the org).
    #[allow(clippy::type_complexity)]
    pub fn read_okta_verify_body(
        status: u16,
        body: &[u8],
    ) -> Result<(String, Option<String>, Option<u16>), String> {
        let doc = crate::json::StrictValue::parse(body).map_err(|e| e.to_string())?;
        use crate::okta::decide::{verify_answer, NotPushed};
        match verify_answer(status, &doc) {
            Ok(p) => {
                let number = p.number.map_err(|e| e.to_string())?;
                Ok((p.poll, p.cancel, number))
            }
            Err(NotPushed::Unusable(e)) => Err(e.to_string()),
            Err(NotPushed::NotWaiting(s, r)) => Err(format!("HTTP {s} '{r}'")),
        }
    }

    /// The RADIUS provider reading single datagrams (for fuzz targets and property tests):
    /// built once, with a shared secret, a fixed password (empty: none) and whether a
    /// Message-Authenticator is required.
    pub struct RadiusReader {
        radius: crate::radius::Radius,
        query: crate::request::Query,
    }

    impl RadiusReader {
        /// A reader for `secret` (and `password`, when not empty).
        pub fn new(secret: &str, password: &str, require_message_authenticator: bool) -> Self {
            let config = crate::config::ClientConfig::from_json(
                serde_json::json!({
                    "provider": "radius",
                    "servers": ["127.0.0.1:1812"],
                    "passwordMode": if password.is_empty() { "none" } else { "fixed" },
                    "allowMissingMessageAuthenticator": !require_message_authenticator,
                })
                .to_string()
                .as_bytes(),
            )
            .expect("a valid RADIUS configuration");
            let secrets = crate::config::Secrets {
                radius_shared_secret: Some(zeroize::Zeroizing::new(secret.into())),
                radius_password: (!password.is_empty())
                    .then(|| zeroize::Zeroizing::new(password.into())),
                ..Default::default()
            };
            let redactor = std::sync::Arc::new(crate::client::redactor_for(&config, &secrets));
            Self {
                radius: crate::radius::Radius::new(&config, &secrets, redactor)
                    .expect("a valid RADIUS provider"),
                query: crate::request::Query::from_json(br#"{"userName":"alice@contoso.com"}"#)
                    .expect("a valid request"),
            }
        }

        /// `datagram` read as the answer to the request with `identifier` and
        /// `request_authenticator`: the status and the message the provider ends with, or
        /// why the datagram is dropped (the wait would go on).
        pub fn read(
            &self,
            datagram: &[u8],
            identifier: u8,
            request_authenticator: &[u8; 16],
        ) -> Result<(Status, String), String> {
            self.radius
                .read_datagram(&self.query, datagram, identifier, request_authenticator)
                .map(|o| {
                    let status = if o.is_engine_approval() {
                        Status::Approved
                    } else if o.status == Status::Approved {
                        Status::Failed
                    } else {
                        o.status
                    };
                    (status, o.message)
                })
                .map_err(|r| r.to_string())
        }
    }

    /// Reads an MFA Server `PfAuthUser_4` answer (HTTP 200 with `body`) and decides it
    /// exactly as the provider does: the status, or why the answer could not be read.
    pub fn decide_soap_answer(body: &[u8]) -> Result<Status, (FailureKind, String)> {
        read_soap_answer(200, body, None, &[]).map(|(status, _)| status)
    }

    /// [`decide_soap_answer`] for any HTTP status, with the message the outcome would
    /// carry, redacted of `secrets` (and of `basic_user:secret` spellings).
    pub fn read_soap_answer(
        status: u16,
        body: &[u8],
        basic_user: Option<&str>,
        secrets: &[&str],
    ) -> Result<(Status, String), (FailureKind, String)> {
        let answer = crate::transport::HttpAnswer {
            status,
            body: body.to_vec(),
            calls: 1,
        };
        let redactor = crate::redact::Redactor::new(basic_user, secrets);
        crate::mfaserver::read_auth_answer(&answer, "PfAuthUser_4", &redactor)
            .map(|a| crate::mfaserver::decide::decide(&a))
    }
}
