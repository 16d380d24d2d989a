//! The SOAP operations the simulator implements, with the server's answers.
//!
//! Each answer is what an ASMX service with XmlSerializer writes: the `<Op>Response`
//! wrapper in the PfWsSdk namespace, `<Op>Result` first, then the out parameters in
//! order. Invalid enum values and malformed requests get SOAP faults, as ASMX does.

use crate::directory::{Answer, Directory};
use mfa_protocol::soap::AUTHENTICATION_TYPES;
use mfa_protocol::soap::{PFWSSDK_NS, SOAP11_NS};
use mfa_protocol::xml::{self, Node};
use quick_xml::escape::escape;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The operations implemented, in WSDL order.
pub const OPERATIONS: &[&str] = &[
    "TestSecurity",
    "UserExists",
    "GetUserSettings_3",
    "GenerateActivationCode",
    "PfAuthUser_4",
    "PfAuthUser_5",
];

/// `Mode3` member names.
pub const MODE3: &[&str] = &[
    "oathToken",
    "phoneApp",
    "smsText",
    "voiceCall",
    "invalid",
    "unspecified",
];

/// What the operations need from the server.
#[derive(Debug)]
pub struct Context {
    /// The scripted users (shared with the Duo, Okta and RADIUS sides).
    pub directory: std::sync::Arc<Directory>,
    /// How long an unanswered push takes to come back as 133.
    pub no_response_after: Duration,
    /// Answer `pfsdk` with 149 / Error 12, as newer servers do.
    pub direct_sdk_disallowed: bool,
    counter: AtomicU64,
}

impl Context {
    /// A context over `directory`.
    pub fn new(
        directory: Directory,
        no_response_after: Duration,
        direct_sdk_disallowed: bool,
    ) -> Self {
        Context {
            directory: std::sync::Arc::new(directory),
            no_response_after,
            direct_sdk_disallowed,
            counter: AtomicU64::new(1),
        }
    }

    fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            (t >> 32) as u32,
            (t >> 16) as u16,
            n & 0xfff,
            (t & 0xfff) as u16,
            n
        )
    }

    fn activation_code(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u64);
        format!(
            "{:09}",
            (t.wrapping_mul(2_654_435_761).wrapping_add(n * 97)) % 1_000_000_000
        )
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Body.
    pub body: String,
    /// How the body is sent.
    pub delivery: Delivery,
}

/// How a reply's body goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// At once, with `Content-Length`.
    Whole,
    /// Chunked, in pieces of `bytes` every `every` (a slow trickle).
    Trickle {
        /// Bytes per piece.
        bytes: usize,
        /// Pause between pieces.
        every: std::time::Duration,
    },
    /// Chunked, and the connection is broken after this many bytes.
    ResetAfter(usize),
    /// Chunked, at once (no `Content-Length`).
    Chunked,
    /// With a `Retry-After: 5` header (HTTP 429/503).
    RetryAfter,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: String) -> Self {
        Reply {
            status,
            content_type,
            body,
            delivery: Delivery::Whole,
        }
    }

    fn delivered(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }
}

fn html(status: u16, title: &str, body: &str) -> Reply {
    Reply::new(
        status,
        "text/html",
        format!(
            "<html><head><title>{}</title></head><body><h2>{}</h2>{}</body></html>",
            escape(title),
            escape(title),
            escape(body)
        ),
    )
}

const XML: &str = "text/xml; charset=utf-8";

fn envelope(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
    )
}

/// A SOAP 1.1 fault (HTTP 500), as ASMX sends for unhandled errors.
pub fn fault(code: &str, message: &str) -> Reply {
    Reply::new(
        500,
        XML,
        envelope(&format!(
            "<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{}</faultstring><detail /></soap:Fault>",
            escape(message)
        )),
    )
}

fn ok(op: &str, parts: &[String]) -> Reply {
    ok_in(PFWSSDK_NS, op, parts)
}

fn ok_in(ns: &str, op: &str, parts: &[String]) -> Reply {
    Reply::new(
        200,
        XML,
        envelope(&format!(
            r#"<{op}Response xmlns="{ns}">{}</{op}Response>"#,
            parts.concat()
        )),
    )
}

fn elem(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

fn pair(name: &str, code: i32, desc: &str) -> String {
    if desc.is_empty() {
        format!("<{name}><Code>{code}</Code><Description /></{name}>")
    } else {
        format!(
            "<{name}><Code>{code}</Code><Description>{}</Description></{name}>",
            escape(desc)
        )
    }
}

fn no_error() -> String {
    pair("error", 0, "")
}

fn user_not_found() -> String {
    pair(
        "error",
        mfa_protocol::codes::ERROR_USER_NOT_FOUND,
        "USER_NOT_FOUND",
    )
}

/// The operation element of a request body: checks the envelope and that the element
/// matches the SOAPAction (when one was sent).
pub fn operation(body: &[u8], soap_action: Option<&str>) -> Result<Node, Reply> {
    let root = xml::parse(body).map_err(|e| {
        fault(
            "Client",
            &format!("Server was unable to read request. ---> {e}"),
        )
    })?;
    if !root.is(SOAP11_NS, "Envelope") {
        return Err(fault(
            "VersionMismatch",
            "Possible SOAP version mismatch: Envelope namespace was unexpected.",
        ));
    }
    let op = root
        .child(SOAP11_NS, "Body")
        .and_then(|b| b.children.first())
        .ok_or_else(|| {
            fault(
                "Client",
                "Server did not recognize the value of HTTP Header SOAPAction: .",
            )
        })?;
    if let Some(action) = soap_action {
        let action = action.trim().trim_matches('"');
        let expected = format!("{PFWSSDK_NS}/{}", op.local);
        if action != expected {
            return Err(fault(
                "Client",
                &format!("Server did not recognize the value of HTTP Header SOAPAction: {action}."),
            ));
        }
    }
    if op.ns.as_deref() != Some(PFWSSDK_NS) || !OPERATIONS.contains(&op.local.as_str()) {
        return Err(fault(
            "Client",
            &format!("Server did not recognize the request element {}.", op.local),
        ));
    }
    Ok(op.clone())
}

fn param<'a>(op: &'a Node, name: &str) -> Option<&'a str> {
    op.child(PFWSSDK_NS, name)
        .filter(|n| !n.nil)
        .map(|n| n.text.as_str())
}

fn bool_param(op: &Node, name: &str) -> Result<bool, Reply> {
    match param(op, name) {
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") | None => Ok(false),
        Some(other) => Err(fault("Client", &format!("There is an error in XML document. ---> The string '{other}' is not a valid Boolean value."))),
    }
}

fn enum_param<'a>(
    op: &'a Node,
    name: &str,
    members: &[&str],
    type_name: &str,
) -> Result<Option<&'a str>, Reply> {
    match param(op, name) {
        None => Ok(None),
        Some(v) if members.contains(&v) => Ok(Some(v)),
        Some(v) => Err(fault("Client", &format!("There is an error in XML document. ---> Instance validation error: '{v}' is not a valid value for {type_name}."))),
    }
}

/// Answers one operation (the `PfAuthUser` ones wait like the real server). `headers` is
/// the request's header block as text (echoed back by the echo faults only).
pub async fn answer(ctx: &Context, op: &Node, caller: &str, headers: &str) -> Reply {
    match op.local.as_str() {
        "TestSecurity" => ok(
            "TestSecurity",
            &[elem(
                "TestSecurityResult",
                &format!("Connection is secure: caller '{caller}' is authenticated"),
            )],
        ),
        "UserExists" => {
            let exists = param(op, "username")
                .and_then(|u| ctx.directory.get(u))
                .is_some();
            ok(
                "UserExists",
                &[
                    elem("UserExistsResult", if exists { "true" } else { "false" }),
                    no_error(),
                ],
            )
        }
        "GetUserSettings_3" => match param(op, "username").and_then(|u| ctx.directory.get(u)) {
            None => ok(
                "GetUserSettings_3",
                &[elem("GetUserSettings_3Result", "false"), user_not_found()],
            ),
            Some(u) => {
                // The SDK splits a number into a country code and the national number; the
                // simulator's are NANP (+1) or given whole.
                let phone = u.phone();
                let (country, national) = match phone.strip_prefix("+1") {
                    Some(rest) => ("1", rest.to_owned()),
                    None => ("", phone.clone()),
                };
                let settings = [
                    elem("FirstName", &u.first_name),
                    elem("LastName", &u.last_name),
                    elem("EmailAddress", &u.user_name),
                    elem("CountryCode", country),
                    elem("Phone", &national),
                    elem("Extension", ""),
                    elem("Mode", "phoneApp"),
                    elem("PhoneAppMode", "standard"),
                    elem("Enabled", if u.enabled { "true" } else { "false" }),
                    elem(
                        "PhoneAppActivated",
                        if u.phone_app_activated {
                            "true"
                        } else {
                            "false"
                        },
                    ),
                ]
                .concat();
                ok(
                    "GetUserSettings_3",
                    &[
                        elem("GetUserSettings_3Result", "true"),
                        format!("<userSettings>{settings}</userSettings>"),
                        no_error(),
                    ],
                )
            }
        },
        "GenerateActivationCode" => {
            match param(op, "username").and_then(|u| ctx.directory.get(u)) {
                None => ok(
                    "GenerateActivationCode",
                    &[
                        elem("GenerateActivationCodeResult", "false"),
                        user_not_found(),
                    ],
                ),
                Some(_) => ok(
                    "GenerateActivationCode",
                    &[
                        elem("GenerateActivationCodeResult", "true"),
                        elem("activationCode", &ctx.activation_code()),
                        no_error(),
                    ],
                ),
            }
        }
        name => authenticate(ctx, op, name, headers)
            .await
            .unwrap_or_else(|r| r),
    }
}

async fn authenticate(ctx: &Context, op: &Node, name: &str, headers: &str) -> Result<Reply, Reply> {
    let user_name = param(op, "username").unwrap_or_default();
    let auth_type = enum_param(
        op,
        "initiatingAuthenticationType",
        AUTHENTICATION_TYPES,
        "AuthenticationType",
    )?;
    let require_user_match = bool_param(op, "requireUserMatch")?;
    if name == "PfAuthUser_5" {
        enum_param(op, "mode", MODE3, "Mode3")?;
    }
    let request_id = ctx.next_id();
    let reply = |result: bool, code: i32, desc: &str, error: String| {
        ok(
            name,
            &[
                elem(
                    &format!("{name}Result"),
                    if result { "true" } else { "false" },
                ),
                pair("callResult", code, desc),
                elem("authenticationRequestId", &request_id),
                error,
            ],
        )
    };
    let approved = || reply(true, 21, "Mobile App Authenticated", no_error());
    if ctx.direct_sdk_disallowed && auth_type == Some("pfsdk") {
        return Ok(reply(
            false,
            149,
            "Direct SDK Not Allowed",
            pair(
                "error",
                mfa_protocol::codes::ERROR_MFA_DENIED,
                "Multi-Factor Authentication denied.",
            ),
        ));
    }
    let Some(user) = ctx.directory.get(user_name) else {
        return Ok(if require_user_match {
            // The server knows no such user: no callResult, Error 10.
            ok(
                name,
                &[
                    elem(&format!("{name}Result"), "false"),
                    elem("authenticationRequestId", ""),
                    user_not_found(),
                ],
            )
        } else {
            // requireUserMatch=false: unknown users pass WITHOUT MFA (modelled as 7 Bypassed Auth).
            reply(true, 7, "Bypassed Auth", no_error())
        });
    };
    if user.blocked {
        return Ok(reply(false, 14, "User is Blocked", no_error()));
    }
    let wait = if user.answer == Answer::NoResponse {
        ctx.no_response_after
    } else {
        user.delay()
    };
    tokio::time::sleep(wait).await;
    Ok(match user.answer {
        Answer::Approve => approved(),
        Answer::Deny => reply(false, 129, "Mobile App Denied", no_error()),
        Answer::Fraud => {
            ctx.directory.block(user_name);
            reply(false, 132, "Fraud Reported", no_error())
        }
        Answer::NoResponse => reply(false, 133, "Mobile App No Response", no_error()),
        Answer::Code => {
            let desc = mfa_protocol::codes::lookup(user.call_result).map_or("", |c| c.description);
            reply(user.result, user.call_result, desc, no_error())
        }
        Answer::SoapFault => fault(
            "Server",
            "Server was unable to process request. ---> Simulated fault.",
        ),
        Answer::HttpError => html(500, "500 - Internal server error.", ""),
        Answer::Malformed => {
            let full = approved().body;
            Reply::new(200, XML, full[..full.len() / 2].to_string())
        }
        Answer::Trickle => approved().delivered(Delivery::Trickle {
            bytes: 1,
            every: Duration::from_millis(100),
        }),
        Answer::Reset => {
            let full = approved();
            let half = full.body.len() / 2;
            full.delivered(Delivery::ResetAfter(half))
        }
        Answer::Oversized => {
            let full = approved().body;
            let (head, tail) = full.split_at(full.rfind("</soap:Body>").unwrap_or(full.len()));
            let padding = " ".repeat(mfa_protocol::limits::MAX_BODY_BYTES);
            Reply::new(200, XML, format!("{head}{padding}{tail}")).delivered(Delivery::Chunked)
        }
        Answer::DuplicateOutParameters => ok(
            name,
            &[
                elem(&format!("{name}Result"), "true"),
                elem(&format!("{name}Result"), "false"),
                pair("callResult", 21, "Mobile App Authenticated"),
                elem("authenticationRequestId", &request_id),
                no_error(),
            ],
        ),
        Answer::WrongNamespace => ok_in(
            &format!("{PFWSSDK_NS}/"),
            name,
            &[
                elem(&format!("{name}Result"), "true"),
                pair("callResult", 21, "Mobile App Authenticated"),
                elem("authenticationRequestId", &request_id),
                no_error(),
            ],
        ),
        Answer::ServiceUnavailable => {
            html(503, "503 - Service Unavailable", "").delivered(Delivery::RetryAfter)
        }
        Answer::TooManyRequests => {
            html(429, "429 - Too Many Requests", "").delivered(Delivery::RetryAfter)
        }
        Answer::HtmlPage => html(200, "Sign in", "<form>Please sign in to continue</form>"),
        Answer::EchoHeaders => html(500, &format!("Request rejected: {headers}"), headers),
        Answer::EchoFault => fault(
            "Server",
            &format!("Server was unable to process request. ---> {headers}"),
        ),
    })
}
