//! The RADIUS provider: one Access-Request (PAP, RFC 2865, with a Message-Authenticator,
//! RFC 3579) to the MFA a company already runs behind RADIUS (Duo Authentication Proxy,
//! NPS with the Microsoft Entra MFA extension, other MFA servers' RADIUS front ends), then a wait for one verified
//! answer. See `docs/radius.md`.
//!
//! - [`config`]: what a `provider: radius` configuration must and must not set;
//! - `exchange`: the UDP exchange (sockets, identifiers, checks, retransmission, servers);
//! - the wire format is `mfa_protocol::radius` (shared with the simulator).
//!
//! What an answer means, fail closed: only a verified Access-Accept is `Approved`;
//! Access-Reject is `Denied`; Access-Challenge (a one-time code asked for) is `Failed`,
//! kind `challenge`; no verified answer before the deadline is `TimedOut`. RADIUS has no
//! cancel: cancelling stops waiting, and the server's answer is then ignored.

pub mod build;
pub mod config;
mod exchange;
pub mod spec;
use spec::NAME;

use crate::config::{ClientConfig, ConfigError, PasswordMode, Secrets};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::redact::Redactor;
use crate::request::{Operation, Query};
use config::Server;
use exchange::{Drops, Ended, Settings};
use mfa_protocol::radius::client::{AccessRequest, AnswerCode};
use mfa_protocol::radius::SERVICE_TYPE_AUTHENTICATE_ONLY;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// The warning every outcome carries while answers without a Message-Authenticator are
/// accepted.
pub const MISSING_MESSAGE_AUTHENTICATOR_WARNING: &str = "allowMissingMessageAuthenticator is ON: RADIUS answers without a Message-Authenticator are accepted, which leaves approvals open to forgery (Blast-RADIUS, CVE-2024-3596); configure the server to send one and turn this off";

/// The RADIUS provider.
pub struct Radius {
    servers: Vec<Server>,
    secret: Zeroizing<Vec<u8>>,
    password: Zeroizing<Vec<u8>>,
    nas_identifier: String,
    allow_missing_message_authenticator: bool,
    retransmit: Option<Duration>,
    redactor: Arc<Redactor>,
}

impl std::fmt::Debug for Radius {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Radius")
            .field("servers", &self.servers)
            .field("nas_identifier", &self.nas_identifier)
            .finish_non_exhaustive()
    }
}

impl Radius {
    /// Builds the provider from a validated configuration.
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        config::validate(config, secrets)?;
        let secret = secrets
            .radius_shared_secret
            .as_ref()
            .map(|s| Zeroizing::new(s.as_bytes().to_vec()))
            .ok_or_else(|| ConfigError::new("radiusSharedSecret", "is required"))?;
        let password = match (config.password_mode, &secrets.radius_password) {
            (PasswordMode::Fixed, Some(p)) => Zeroizing::new(p.as_bytes().to_vec()),
            _ => Zeroizing::new(Vec::new()),
        };
        Ok(Self {
            servers: config::servers(config)?,
            secret,
            password,
            nas_identifier: config.nas_identifier.clone(),
            allow_missing_message_authenticator: config.allow_missing_message_authenticator,
            retransmit: config.retransmit_seconds.map(Duration::from_secs_f64),
            redactor,
        })
    }

    fn outcome(&self, q: &Query) -> Outcome {
        let mut o = Outcome::new(
            q.operation.name(),
            NAME,
            q.user_name.as_deref().unwrap_or_default(),
            true,
        );
        if self.allow_missing_message_authenticator {
            o.warnings
                .push(MISSING_MESSAGE_AUTHENTICATOR_WARNING.to_string());
        }
        o
    }

    async fn authenticate(&self, q: &Query, progress: &Progress) -> Outcome {
        let o = self.outcome(q);
        let request = AccessRequest {
            identifier: 0,
            authenticator: [0; 16],
            user_name: q.user_name.as_deref().unwrap_or_default(),
            password: &self.password,
            nas_identifier: &self.nas_identifier,
            service_type: Some(SERVICE_TYPE_AUTHENTICATE_ONLY),
            calling_station_id: q.initiating_ip_address.as_deref(),
        };
        let settings = Settings {
            servers: &self.servers,
            secret: &self.secret,
            require_message_authenticator: !self.allow_missing_message_authenticator,
            retransmit: self.retransmit,
        };
        let deadline = tokio::time::Instant::now() + exchange::inner_deadline(q.deadline());
        let mut drops = Drops::default();
        let ended = exchange::exchange(&settings, request, deadline, progress, &mut drops).await;
        self.ended(o, q, ended, &drops)
    }

    /// One datagram read as the answer to the request with `identifier` and
    /// `request_authenticator`, and the outcome the provider would end with, or why it is
    /// dropped (fuzz targets and property tests drive this exact path, with no network).
    pub(crate) fn read_datagram(
        &self,
        q: &Query,
        datagram: &[u8],
        identifier: u8,
        request_authenticator: &[u8; 16],
    ) -> Result<Outcome, mfa_protocol::radius::Refused> {
        let answer = mfa_protocol::radius::client::read_answer(
            datagram,
            identifier,
            request_authenticator,
            &self.secret,
            !self.allow_missing_message_authenticator,
        )?;
        let server = "127.0.0.1:1812".to_string();
        Ok(self.ended(
            self.outcome(q),
            q,
            Ended::Answer { answer, server },
            &Drops::default(),
        ))
    }

    fn ended(&self, mut o: Outcome, q: &Query, ended: Ended, drops: &Drops) -> Outcome {
        let dropped = drops.describe();
        let dropped_note = if dropped.is_empty() {
            String::new()
        } else {
            format!("; {dropped}")
        };
        match ended {
            Ended::Answer { answer, server } => {
                // Redacted (the shared secret, the password: every spelling) before it is
                // decoded, cleaned or cut.
                let reply = self.redactor.server_bytes_within(
                    &answer.reply_message,
                    crate::redact::MAX_SERVER_TEXT_CHARS,
                );
                let code = match answer.code {
                    AnswerCode::Accept => "Access-Accept",
                    AnswerCode::Reject => "Access-Reject",
                    AnswerCode::Challenge => "Access-Challenge",
                };
                o.data = Some(json!({
                    "radiusCode": code,
                    "server": server,
                    "replyMessage": reply,
                    "messageAuthenticator": answer.message_authenticator,
                    "datagramsSent": drops.sent,
                    "answersDropped": drops.total(),
                }));
                if !answer.message_authenticator {
                    o.warnings.push(format!(
                        "the {code} from {server} had no Message-Authenticator; it counted only because allowMissingMessageAuthenticator is on"
                    ));
                }
                let said = if reply.is_empty() {
                    String::new()
                } else {
                    format!(": {reply}")
                };
                match answer.code {
                    AnswerCode::Accept => {
                        // The RADIUS decision: an Access-Accept that passed every check.
                        o.approve_as_decided();
                        o.message = format!("approved: {code} from {server}{said}{dropped_note}");
                    }
                    AnswerCode::Reject => o.set_failed(
                        Status::Denied,
                        FailureKind::Provider,
                        format!("denied: {code} from {server}{said}{dropped_note}"),
                    ),
                    AnswerCode::Challenge => o.set_failed(
                        Status::Failed,
                        FailureKind::Challenge,
                        format!("{server} asked for another step ({code}{said}), which this product does not perform; not an approval{dropped_note}"),
                    ),
                }
            }
            Ended::TimedOut(server) => o.set_failed(
                Status::TimedOut,
                FailureKind::Timeout,
                format!(
                    "no verified answer from {server} within the deadline of {} s{dropped_note}",
                    q.timeout_seconds
                ),
            ),
            Ended::Unreachable(kind, why) => o.set_failed(
                Status::Failed,
                kind,
                format!("no RADIUS server could be asked: {}", why.join("; ")),
            ),
            Ended::Failed(kind, why) => {
                o.set_failed(Status::Failed, kind, format!("{why}{dropped_note}"))
            }
        }
        o
    }
}

impl Provider for Radius {
    fn name(&self) -> &'static str {
        NAME
    }

    fn cancelled_message(&self) -> &'static str {
        "cancelled by the caller before an answer; RADIUS has no cancel, so the push may stay on the device until the server gives up, and its answer is ignored; not an approval"
    }

    fn run<'a>(&'a self, q: &'a Query, progress: &'a Progress) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            if q.operation != Operation::Authenticate {
                // Nothing was sent: a provider answer (no next step about URLs or proxies).
                // The providers that answer it, as the registry says (none named here).
                let name = q.operation.name();
                let answering: Vec<&str> = crate::registry::PROVIDERS
                    .iter()
                    .filter(|p| p.queries.contains(&name))
                    .map(|p| p.display)
                    .collect();
                return self.outcome(q).fail(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "provider radius answers approvals only; '{name}' is a query of the HTTP providers ({}): RADIUS cannot ask about a user or test a connection without sending an Access-Request, which pushes; nothing was sent",
                        answering.join(", ")
                    ),
                );
            }
            if q.mode.is_some() {
                return self.outcome(q).fail(
                    Status::Failed,
                    FailureKind::Provider,
                    "mode (-Mode) is an MFA Server setting; a RADIUS server chooses the method itself: leave -Mode out; nothing was sent",
                );
            }
            self.authenticate(q, progress).await
        })
    }
}
