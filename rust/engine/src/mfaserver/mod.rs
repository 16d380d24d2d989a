//! The Azure MFA Server Web Service SDK provider (`PfWsSdk.asmx`).
//!
//! `PfAuthUser_4` (or `PfAuthUser_5` with a method override) pushes to the user and
//! answers only when the user has responded, so one approval is one long HTTP call.
//! Queries: `TestSecurity`, `UserExists`, `GetUserSettings_3`, `GenerateActivationCode`.

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::progress::Progress;
use crate::provider::{BoxFuture, Provider};
use crate::redact::{bound, Redactor};
use crate::request::{Operation, Query};
use crate::soap::{self, SoapError};
use crate::transport::{HttpAnswer, Transport};
use crate::xml::Node;
use decide::{auth_answer, error_of, AuthAnswer};
use std::sync::Arc;

pub mod build;
pub mod config;
pub mod decide;
mod identity;
pub mod spec;
use spec::NAME;

/// An MFA Server SDK endpoint with its settings.
#[derive(Debug)]
pub struct MfaServer {
    transport: Transport,
    redactor: Arc<Redactor>,
    initiating_authentication_type: String,
    application_name: String,
    require_user_match: bool,
}

/// A failure while reading an answer: its kind and a message fit to show.
type Failure = (FailureKind, String);

/// Turns an HTTP answer into the `<op>Response` element or a failure. Server text in the
/// message is bounded and redacted.
fn open(answer: &HttpAnswer, op: &str, redactor: &Redactor) -> Result<Node, Failure> {
    match answer.status {
        200 => soap::response(&answer.body, op).map_err(|e| soap_failure(e, redactor)),
        401 | 403 => Err((
            FailureKind::Authentication,
            format!(
                "the SDK refused the caller's credentials (HTTP {})",
                answer.status
            ),
        )),
        status => match soap::response(&answer.body, op) {
            Err(fault @ SoapError::Fault { .. }) => Err(soap_failure(fault, redactor)),
            _ => Err((
                FailureKind::HttpStatus,
                format!("HTTP {status}: {}", snippet(&answer.body, redactor)),
            )),
        },
    }
}

fn soap_failure(e: SoapError, redactor: &Redactor) -> Failure {
    match e {
        SoapError::Fault { code, message } => (
            FailureKind::SoapFault,
            format!(
                "SOAP fault {}: {}",
                redactor.server_text(&code),
                redactor.server_text(&message)
            ),
        ),
        SoapError::Protocol(why) => (
            FailureKind::Protocol,
            format!("unexpected SOAP answer: {}", redactor.server_text(&why)),
        ),
    }
}

/// A short, printable summary of an unexpected body: an HTML title, or its first words.
/// The body is redacted (as bytes and as text, every spelling) before anything is cut.
fn snippet(body: &[u8], redactor: &Redactor) -> String {
    let text = redactor.redact_bytes(body);
    let lower = text.to_ascii_lowercase();
    if let (Some(a), Some(b)) = (lower.find("<title>"), lower.find("</title>")) {
        if a + 7 <= b {
            return format!(
                "HTML page titled '{}'",
                redactor.server_text(&text[a + 7..b])
            );
        }
    }
    let cut = redactor.server_text(&text);
    if cut.is_empty() {
        "(empty body)".into()
    } else {
        cut
    }
}

/// Reads an authentication answer from an HTTP answer (the whole reading path of an
/// approval, for tests and fuzzing): the status decision is [`decide::decide`]'s.
pub fn read_auth_answer(
    answer: &HttpAnswer,
    op: &str,
    redactor: &Redactor,
) -> Result<AuthAnswer, Failure> {
    let node = open(answer, op, redactor)?;
    auth_answer(&node, op, redactor).map_err(|e| soap_failure(e, redactor))
}

/// The answers to `TestSecurity` that report a secured, authenticated connection. The SDK
/// reference says only "a string containing 'secure'"; this engine accepts exactly
/// `Connection is secure` (any case, alone or followed by `.`, `:` or `,` and more) with
/// no negating word (`not`, `no`, `insecure`, `failed`, ...) anywhere, and nothing else.
pub fn test_security_succeeded(text: &str) -> bool {
    let lower = text.to_lowercase();
    let Some(rest) = lower.strip_prefix("connection is secure") else {
        return false;
    };
    // Whole words only: a caller named 'svc-notifications' is not a negation.
    let negated = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| {
            matches!(
                w,
                "not"
                    | "no"
                    | "never"
                    | "insecure"
                    | "unsecure"
                    | "isn't"
                    | "fail"
                    | "failed"
                    | "error"
                    | "but"
            )
        });
    (rest.is_empty() || rest.starts_with(['.', ':', ',', ' '])) && !negated
}

impl MfaServer {
    /// Builds the provider and its transport (reads certificate files now, so problems
    /// surface when the client is created).
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            transport: Transport::new(config, secrets, redactor.clone())?,
            redactor,
            initiating_authentication_type: config.initiating_authentication_type.clone(),
            application_name: config.application_name.clone(),
            require_user_match: config.require_user_match,
        })
    }

    async fn exchange(
        &self,
        op: &'static str,
        params: &[(&str, Option<&str>)],
        outcome: &mut Outcome,
    ) -> Result<Node, (Status, FailureKind, String)> {
        let body = soap::request(op, params);
        let answer = self.transport.call(op, &body).await.map_err(|e| {
            let status = if e.kind == FailureKind::Timeout {
                Status::TimedOut
            } else {
                Status::Failed
            };
            (status, e.kind, format!("{op}: {}", e.message))
        })?;
        outcome.http_calls += answer.calls;
        // Reading is CPU work: off the runtime's workers, so a hostile body never starves
        // other requests, and still inside the caller's deadline (this await is cancelled
        // with it; the bounded reader then finishes on its own in milliseconds).
        let redactor = self.redactor.clone();
        let read = tokio::task::spawn_blocking(move || open(&answer, op, &redactor));
        match read.await {
            Ok(Ok(node)) => Ok(node),
            Ok(Err((kind, msg))) => Err((Status::Failed, kind, format!("{op}: {msg}"))),
            Err(_) => Err((
                Status::Failed,
                FailureKind::Internal,
                format!("{op}: internal error while reading the answer; not an approval"),
            )),
        }
    }

    async fn authenticate(&self, q: &Query) -> Outcome {
        let user = q.user_name.as_deref().unwrap_or_default();
        let mut outcome = Outcome::new(
            Operation::Authenticate.name(),
            NAME,
            user,
            self.require_user_match,
        );
        let op = if q.mode.is_some() {
            "PfAuthUser_5"
        } else {
            "PfAuthUser_4"
        };
        let app = q
            .application_name
            .as_deref()
            .unwrap_or(&self.application_name);
        let require = if self.require_user_match {
            "true"
        } else {
            "false"
        };
        let mut params = vec![
            ("username", Some(user)),
            (
                "initiatingAuthenticationType",
                Some(self.initiating_authentication_type.as_str()),
            ),
            ("initiatingIpAddress", q.initiating_ip_address.as_deref()),
            ("applicationName", Some(app)),
            ("requireUserMatch", Some(require)),
        ];
        if let Some(mode) = q.mode.as_deref() {
            params.push(("mode", Some(mode)));
        }
        let response = match self.exchange(op, &params, &mut outcome).await {
            Ok(r) => r,
            Err((status, kind, msg)) => return outcome.fail(status, kind, msg),
        };
        match auth_answer(&response, op, &self.redactor) {
            Ok(answer) => decide::apply(outcome, &answer),
            Err(e) => self.unreadable(outcome, op, e),
        }
    }

    async fn query(&self, q: &Query) -> Outcome {
        let user = q.user_name.as_deref().unwrap_or_default();
        let mut outcome = Outcome::new(q.operation.name(), NAME, user, self.require_user_match);
        let (op, params): (&'static str, Vec<(&str, Option<&str>)>) = match q.operation {
            Operation::TestSecurity => ("TestSecurity", vec![]),
            Operation::UserExists => ("UserExists", vec![("username", Some(user))]),
            Operation::GetUserSettings => ("GetUserSettings_3", vec![("username", Some(user))]),
            Operation::GenerateActivationCode => {
                ("GenerateActivationCode", vec![("username", Some(user))])
            }
            Operation::Authenticate => unreachable!("authenticate is not a query"),
        };
        let response = match self.exchange(op, &params, &mut outcome).await {
            Ok(r) => r,
            Err((status, kind, msg)) => return outcome.fail(status, kind, msg),
        };
        match self.read_query(q.operation, op, &response, &mut outcome) {
            Ok(()) => outcome,
            Err(e) => self.unreadable(outcome, op, e),
        }
    }

    /// The outcome of an answer that could not be read strictly: never an approval.
    fn unreadable(&self, outcome: Outcome, op: &str, e: SoapError) -> Outcome {
        let (kind, msg) = soap_failure(e, &self.redactor);
        outcome.fail(Status::Failed, kind, format!("{op}: {msg}"))
    }

    /// Fills `outcome` from a query's response; strict reading errors come back.
    fn read_query(
        &self,
        operation: Operation,
        op: &str,
        response: &Node,
        outcome: &mut Outcome,
    ) -> Result<(), SoapError> {
        let r = &self.redactor;
        outcome.error = error_of(response, r)?;
        if operation == Operation::TestSecurity {
            let text =
                r.server_text(soap::text(response, "TestSecurityResult")?.unwrap_or_default());
            outcome.data = Some(serde_json::json!({ "message": text }));
            if test_security_succeeded(&text) {
                outcome.status = Status::Completed;
                outcome.message = format!("TestSecurity answered '{text}'");
            } else {
                outcome.set_failed(
                    Status::Failed,
                    FailureKind::Provider,
                    format!("TestSecurity answered '{text}', which is not the success answer 'Connection is secure'"),
                );
            }
            return Ok(());
        }
        let Some(result) = soap::boolean(response, &format!("{op}Result"))? else {
            return Err(SoapError::Protocol(format!(
                "the response has no usable {op}Result"
            )));
        };
        outcome.result = Some(result);
        let data = match operation {
            Operation::UserExists => Some(serde_json::json!({ "exists": result })),
            Operation::GetUserSettings if result => match soap::field(response, "userSettings")? {
                None => None,
                Some(s) => {
                    let mut map = serde_json::Map::new();
                    for c in &s.children {
                        if map.contains_key(&c.local) {
                            return Err(SoapError::Protocol(format!(
                                "userSettings holds {} more than once",
                                c.local
                            )));
                        }
                        let v = match soap::value(Some(c))? {
                            _ if c.nil => serde_json::Value::Null,
                            Some("true") => true.into(),
                            Some("false") => false.into(),
                            Some(t) => r.server_text(t).into(),
                            None => serde_json::Value::Null,
                        };
                        map.insert(bound(&r.server_text(&c.local), 64), v);
                    }
                    Some(serde_json::json!({ "userSettings": map }))
                }
            },
            Operation::GenerateActivationCode if result => soap::text(response, "activationCode")?
                .map(|c| serde_json::json!({ "activationCode": r.server_text(c) })),
            _ => None,
        };
        match data {
            Some(d) if result || operation == Operation::UserExists => {
                outcome.data = Some(d);
                outcome.status = Status::Completed;
                outcome.message = format!("{op} completed");
            }
            _ => {
                let why = outcome.error.as_ref().map_or_else(
                    || format!("{op} answered {result} without the expected data"),
                    |e| {
                        format!(
                            "{op} failed: {}",
                            crate::next_step::describe_error(e.code, &e.description)
                        )
                    },
                );
                outcome.set_failed(Status::Failed, FailureKind::Provider, why);
            }
        }
        Ok(())
    }
}

impl Provider for MfaServer {
    fn name(&self) -> &'static str {
        NAME
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

    fn run<'a>(&'a self, query: &'a Query, progress: &'a Progress) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            if query.operation == Operation::Authenticate {
                // The SDK call itself holds until the user answers: one stage for all of it.
                progress.set(
                    "pushed",
                    "waiting for the user to answer on their phone",
                    None,
                );
            }
            match query.operation {
                Operation::Authenticate => self.authenticate(query).await,
                _ => self.query(query).await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            body: body.as_bytes().to_vec(),
            calls: 1,
        }
    }

    fn decide_body(body: &str) -> (Status, AuthAnswer) {
        match read_auth_answer(&answer(200, body), "PfAuthUser_4", &Redactor::default()) {
            Ok(a) => (decide::decide(&a).0, a),
            Err(_) => (Status::Failed, AuthAnswer::default()),
        }
    }

    fn kind_of(body: &str) -> Option<FailureKind> {
        read_auth_answer(&answer(200, body), "PfAuthUser_4", &Redactor::default())
            .err()
            .map(|(k, _)| k)
    }

    const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const NS: &str = "http://www.phonefactor.com/PfWsSdk";

    fn wrap(inner: &str) -> String {
        format!(
            r#"<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
        )
    }

    #[test]
    fn asmx_output_variants_all_parse_to_the_same_approval() {
        let variants = [
            // Default namespace, Code 0 error, as the simulator writes it.
            wrap(&format!(r#"<PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code><Description>Mobile App Authenticated</Description></callResult><authenticationRequestId>r1</authenticationRequestId><error><Code>0</Code></error></PfAuthUser_4Response>"#)),
            // Prefixes everywhere, BOM, declaration, whitespace, a Header, error absent, unknown extra elements.
            format!("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<s:Envelope xmlns:s=\"{ENV}\" xmlns:p=\"{NS}\">\n <s:Header/>\n <s:Body>\n  <p:PfAuthUser_4Response>\n   <p:PfAuthUser_4Result> true </p:PfAuthUser_4Result>\n   <p:callResult><p:Code>21</p:Code><p:Extra>x</p:Extra></p:callResult>\n   <p:authenticationRequestId>r1</p:authenticationRequestId>\n   <p:somethingNew>1</p:somethingNew>\n  </p:PfAuthUser_4Response>\n </s:Body>\n</s:Envelope>"),
            // Empty error element and an xsi:nil description; "1" as the boolean.
            wrap(&format!(r#"<PfAuthUser_4Response xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><PfAuthUser_4Result>1</PfAuthUser_4Result><callResult><Code>21</Code><Description xsi:nil="true"/></callResult><authenticationRequestId>r1</authenticationRequestId><error/></PfAuthUser_4Response>"#)),
        ];
        for body in &variants {
            let (status, a) = decide_body(body);
            assert_eq!(status, Status::Approved, "{body}");
            assert_eq!(a.request_id.as_deref(), Some("r1"));
            assert_eq!(a.error, None, "absent, empty and Code 0 all mean no error");
        }
    }

    #[test]
    fn tricks_in_the_response_body_never_approve() {
        let r = |inner: &str| {
            wrap(&format!(
                r#"<PfAuthUser_4Response xmlns="{NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">{inner}</PfAuthUser_4Response>"#
            ))
        };
        let tricks = [
            // The result element unqualified, next to a right callResult.
            r(
                r#"<PfAuthUser_4Result xmlns="">true</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"#,
            ),
            // The callResult in another namespace.
            r(
                r#"<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult xmlns="urn:evil"><Code>21</Code></callResult>"#,
            ),
            // A nil result.
            r(
                r#"<PfAuthUser_4Result i:nil="true">true</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"#,
            ),
            // Non-numeric and out-of-range codes.
            r(
                r#"<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21x</Code></callResult>"#,
            ),
            r(
                r#"<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>4294967317</Code></callResult>"#,
            ),
            // "True" is not an xsd:boolean.
            r(
                r#"<PfAuthUser_4Result>True</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"#,
            ),
            // A comment does not smuggle a value in.
            r(
                r#"<PfAuthUser_4Result><!--true-->false</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"#,
            ),
            // No callResult at all.
            r(r#"<PfAuthUser_4Result>true</PfAuthUser_4Result>"#),
            // The response of another operation.
            wrap(&format!(
                r#"<PfAuthUser_5Response xmlns="{NS}"><PfAuthUser_5Result>true</PfAuthUser_5Result><callResult><Code>21</Code></callResult></PfAuthUser_5Response>"#
            )),
            // A fault first, then a success.
            wrap(&format!(
                r#"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring></soap:Fault><PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code></callResult></PfAuthUser_4Response>"#
            )),
        ];
        for body in &tricks {
            assert_ne!(decide_body(body).0, Status::Approved, "{body}");
        }
    }

    #[test]
    fn non_soap_answers_become_clear_failures() {
        let html =
            "<html><head><title>500 - Internal server error.</title></head><body>x</body></html>";
        let (kind, msg) =
            open(&answer(500, html), "PfAuthUser_4", &Redactor::default()).unwrap_err();
        assert_eq!(kind, FailureKind::HttpStatus);
        assert!(msg.contains("500 - Internal server error."), "{msg}");
        let (kind, _) = open(&answer(200, html), "PfAuthUser_4", &Redactor::default()).unwrap_err();
        assert_eq!(kind, FailureKind::Protocol);
        let (kind, _) = open(&answer(401, ""), "PfAuthUser_4", &Redactor::default()).unwrap_err();
        assert_eq!(kind, FailureKind::Authentication);
        let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Bad request</faultstring></s:Fault></s:Body></s:Envelope>"#;
        let (kind, msg) =
            open(&answer(500, fault), "PfAuthUser_4", &Redactor::default()).unwrap_err();
        assert_eq!(kind, FailureKind::SoapFault);
        assert!(msg.contains("Bad request"));
    }

    #[test]
    fn ambiguous_answers_are_protocol_failures_not_approvals() {
        let ok = format!(
            r#"<PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code></callResult></PfAuthUser_4Response>"#
        );
        assert_eq!(decide_body(&wrap(&ok)).0, Status::Approved);
        let deny = format!(
            r#"<PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>false</PfAuthUser_4Result><callResult><Code>129</Code></callResult></PfAuthUser_4Response>"#
        );
        let r = |inner: &str| {
            wrap(&format!(
                r#"<PfAuthUser_4Response xmlns="{NS}">{inner}</PfAuthUser_4Response>"#
            ))
        };
        let tricks = [
            // A duplicated out-parameter (first-wins readers would approve).
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result><PfAuthUser_4Result>false</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code></callResult><callResult><Code>129</Code></callResult>"),
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code><Code>129</Code></callResult>"),
            // Two Bodies, a second Body child, a stray Envelope child.
            format!(r#"<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{ok}</soap:Body><soap:Body>{deny}</soap:Body></soap:Envelope>"#),
            format!(r#"<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{deny}</soap:Body><soap:Body>{ok}</soap:Body></soap:Envelope>"#),
            wrap(&format!("{ok}{deny}")),
            wrap(&format!("{deny}{ok}")),
            format!(r#"<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{ok}</soap:Body><x/></soap:Envelope>"#),
            // Mixed content and markup inside a value.
            r("<PfAuthUser_4Result>tr<x/>ue</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>tr<!---->ue</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>2<x/>1</Code></callResult>"),
            r("<PfAuthUser_4Result>true<x/></PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result>junk<callResult><Code>21</Code></callResult>"),
            // Values wrapped in white space that is not XML white space.
            r("<PfAuthUser_4Result>\u{a0}true\u{a0}</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>\u{2003}21</Code></callResult>"),
            r("<PfAuthUser_4Result>true\u{85}</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
            r("<PfAuthUser_4Result>true&#160;</PfAuthUser_4Result><callResult><Code>21</Code></callResult>"),
        ];
        for body in &tricks {
            let (status, _) = decide_body(body);
            assert_eq!(status, Status::Failed, "{body}");
            assert_eq!(kind_of(body), Some(FailureKind::Protocol), "{body}");
        }
        // XML white space and character references for it are fine.
        assert_eq!(
            decide_body(&r("<PfAuthUser_4Result>&#x20;true&#9;\r\n</PfAuthUser_4Result><callResult><Code> 21 </Code></callResult>")).0,
            Status::Approved
        );
    }

    #[test]
    fn test_security_accepts_only_the_success_answer() {
        for good in [
            "Connection is secure",
            "connection is secure.",
            "Connection is secure: caller 'x' is authenticated",
        ] {
            assert!(test_security_succeeded(good), "{good}");
        }
        for bad in [
            "Connection is NOT secure",
            "Connection is insecure",
            "Connection is secure? not really",
            "Connection is securely broken",
            "secure",
            "insecure",
            "",
            "Connection is secure, but the certificate check failed",
        ] {
            assert!(!test_security_succeeded(bad), "{bad}");
        }
    }

    #[test]
    fn server_text_in_failures_is_bounded_and_redacted() {
        let redactor = Redactor::new(Some("svc"), &["s3cret"]);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "svc:s3cret");
        let html = format!(
            "<html><title>echo Authorization: Basic {b64} {}</title></html>",
            "x".repeat(5000)
        );
        let (_, msg) = open(&answer(500, &html), "PfAuthUser_4", &redactor).unwrap_err();
        assert!(!msg.contains(&b64) && !msg.contains("s3cret"), "{msg}");
        assert!(msg.chars().count() < 300, "{msg}");
        let fault = format!(
            r#"<s:Envelope xmlns:s="{ENV}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>pw=s3cret&#10;&#x9B;31m&#x85;{}</faultstring></s:Fault></s:Body></s:Envelope>"#,
            "y".repeat(5000)
        );
        let (kind, msg) = open(&answer(500, &fault), "PfAuthUser_4", &redactor).unwrap_err();
        assert_eq!(kind, FailureKind::SoapFault);
        assert!(
            !msg.contains("s3cret")
                && !msg.contains('\u{9b}')
                && !msg.contains('\u{85}')
                && !msg.contains('\n'),
            "{msg}"
        );
        assert!(msg.chars().count() < 300, "{msg}");
    }
}
