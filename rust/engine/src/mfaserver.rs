//! The Azure MFA Server Web Service SDK provider (`PfWsSdk.asmx`).
//!
//! `PfAuthUser_4` (or `PfAuthUser_5` with a method override) pushes to the user and
//! answers only when the user has responded, so one approval is one long HTTP call.
//! Queries: `TestSecurity`, `UserExists`, `GetUserSettings_3`, `GenerateActivationCode`.

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::outcome::{AuthAnswer, CodeAndDescription, FailureKind, Outcome, Status};
use crate::provider::{BoxFuture, Provider};
use crate::request::{Operation, Query};
use crate::soap::{self, SoapError};
use crate::transport::{HttpAnswer, Transport};
use crate::xml::Node;

/// The provider's name in outcomes.
pub const NAME: &str = "mfaserver";

/// An MFA Server SDK endpoint with its settings.
#[derive(Debug)]
pub struct MfaServer {
    transport: Transport,
    initiating_authentication_type: String,
    application_name: String,
    require_user_match: bool,
}

/// Turns an HTTP answer into the `<op>Response` element or a (kind, message) failure.
fn open(answer: &HttpAnswer, op: &str) -> Result<Node, (FailureKind, String)> {
    match answer.status {
        200 => soap::response(&answer.body, op).map_err(soap_failure),
        401 | 403 => Err((
            FailureKind::Authentication,
            format!("the SDK refused the caller's credentials (HTTP {}); check the account and that it is in PhoneFactor Admins", answer.status),
        )),
        status => match soap::response(&answer.body, op) {
            Err(fault @ SoapError::Fault { .. }) => Err(soap_failure(fault)),
            _ => Err((FailureKind::HttpStatus, format!("HTTP {status}: {}", snippet(&answer.body)))),
        },
    }
}

fn soap_failure(e: SoapError) -> (FailureKind, String) {
    match e {
        SoapError::Fault { .. } => (FailureKind::SoapFault, e.to_string()),
        SoapError::Protocol(_) => (FailureKind::Protocol, e.to_string()),
    }
}

/// A short, printable summary of an unexpected body: an HTML title, or its first words.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if let (Some(a), Some(b)) = (lower.find("<title>"), lower.find("</title>")) {
        if a + 7 <= b {
            return format!("HTML page titled '{}'", text[a + 7..b].trim());
        }
    }
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = flat.chars().filter(|c| !c.is_control()).take(200).collect();
    if cut.is_empty() {
        "(empty body)".into()
    } else {
        cut
    }
}

fn error_of(response: &Node) -> Option<CodeAndDescription> {
    soap::code_pair(soap::field(response, "error"))
        .filter(|(code, desc)| *code != 0 || !desc.is_empty())
        .map(|(code, description)| CodeAndDescription {
            code,
            name: String::new(),
            description,
        })
}

/// The parts of a `PfAuthUser_4/_5` response that decide the outcome.
fn auth_answer(response: &Node, op: &str) -> AuthAnswer {
    AuthAnswer {
        result: soap::boolean(soap::field(response, &format!("{op}Result"))),
        call_result: soap::code_pair(soap::field(response, "callResult")),
        error: error_of(response).map(|e| (e.code, e.description)),
        request_id: soap::field(response, "authenticationRequestId")
            .map(|n| n.text.clone())
            .filter(|s| !s.is_empty()),
    }
}

impl MfaServer {
    /// Builds the provider and its transport (reads certificate files now, so problems
    /// surface when the client is created).
    pub fn new(config: &ClientConfig, secrets: &Secrets) -> Result<Self, ConfigError> {
        Ok(Self {
            transport: Transport::new(config, secrets)?,
            initiating_authentication_type: config.initiating_authentication_type.clone(),
            application_name: config.application_name.clone(),
            require_user_match: config.require_user_match,
        })
    }

    async fn exchange(
        &self,
        op: &str,
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
        open(&answer, op).map_err(|(kind, msg)| (Status::Failed, kind, format!("{op}: {msg}")))
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
        outcome.decided(&auth_answer(&response, op))
    }

    async fn query(&self, q: &Query) -> Outcome {
        let user = q.user_name.as_deref().unwrap_or_default();
        let mut outcome = Outcome::new(q.operation.name(), NAME, user, self.require_user_match);
        let (op, params): (&str, Vec<(&str, Option<&str>)>) = match q.operation {
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
        let result_node = soap::field(&response, &format!("{op}Result"));
        outcome.error = error_of(&response);
        if q.operation == Operation::TestSecurity {
            let text = result_node.map(|n| n.text.clone()).unwrap_or_default();
            outcome.data = Some(serde_json::json!({ "message": text }));
            return if text.to_ascii_lowercase().contains("secure") {
                outcome.status = Status::Completed;
                outcome.message = format!("TestSecurity answered '{text}'");
                outcome
            } else {
                outcome.fail(
                    Status::Failed,
                    FailureKind::Provider,
                    format!(
                        "TestSecurity answered '{text}', which does not report a secure connection"
                    ),
                )
            };
        }
        let Some(result) = soap::boolean(result_node) else {
            return outcome.fail(
                Status::Failed,
                FailureKind::Protocol,
                format!("{op}: the response has no usable {op}Result"),
            );
        };
        outcome.result = Some(result);
        let data = match q.operation {
            Operation::UserExists => Some(serde_json::json!({ "exists": result })),
            Operation::GetUserSettings if result => {
                soap::field(&response, "userSettings").map(|s| {
                    let map: serde_json::Map<String, serde_json::Value> = s
                        .children
                        .iter()
                        .map(|c| {
                            let v = match c.text.as_str() {
                                _ if c.nil => serde_json::Value::Null,
                                "true" => true.into(),
                                "false" => false.into(),
                                t => t.into(),
                            };
                            (c.local.clone(), v)
                        })
                        .collect();
                    serde_json::json!({ "userSettings": map })
                })
            }
            Operation::GenerateActivationCode if result => soap::field(&response, "activationCode")
                .map(|c| serde_json::json!({ "activationCode": c.text })),
            _ => None,
        };
        match (result, data) {
            (_, Some(d)) if result || q.operation == Operation::UserExists => {
                outcome.data = Some(d);
                outcome.status = Status::Completed;
                outcome.message = format!("{op} completed");
                outcome
            }
            _ => {
                let why = outcome.error.as_ref().map_or_else(
                    || format!("{op} answered {result} without the expected data"),
                    |e| format!("{op} failed: error {} {}", e.code, e.description),
                );
                outcome.fail(Status::Failed, FailureKind::Provider, why)
            }
        }
    }
}

impl Provider for MfaServer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
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
        match open(&answer(200, body), "PfAuthUser_4") {
            Ok(node) => {
                let a = auth_answer(&node, "PfAuthUser_4");
                (crate::outcome::decide(&a).0, a)
            }
            Err(_) => (Status::Failed, AuthAnswer::default()),
        }
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
        let (kind, msg) = open(&answer(500, html), "PfAuthUser_4").unwrap_err();
        assert_eq!(kind, FailureKind::HttpStatus);
        assert!(msg.contains("500 - Internal server error."), "{msg}");
        let (kind, _) = open(&answer(200, html), "PfAuthUser_4").unwrap_err();
        assert_eq!(kind, FailureKind::Protocol);
        let (kind, _) = open(&answer(401, ""), "PfAuthUser_4").unwrap_err();
        assert_eq!(kind, FailureKind::Authentication);
        let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Bad request</faultstring></s:Fault></s:Body></s:Envelope>"#;
        let (kind, msg) = open(&answer(500, fault), "PfAuthUser_4").unwrap_err();
        assert_eq!(kind, FailureKind::SoapFault);
        assert!(msg.contains("Bad request"));
    }
}
