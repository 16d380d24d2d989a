//! SOAP 1.1 document/literal wrapped: the request writer and the response reader for
//! the PfWsSdk namespace.
//!
//! The writer escapes every caller-supplied value; the reader is tolerant where ASMX
//! output may vary (prefixes, default namespaces, whitespace, BOM, `xsi:nil`, extra
//! elements) and strict where it matters (SOAP 1.1 envelope, the right `<Op>Response`
//! element in the right namespace, well-formed and complete).

use crate::xml::{self, Node};
use quick_xml::escape::escape;

/// The SDK's target namespace.
pub const PFWSSDK_NS: &str = "http://www.phonefactor.com/PfWsSdk";
/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The `initiatingAuthenticationType` values the SDK's `AuthenticationType` enum names.
pub const AUTHENTICATION_TYPES: &[&str] = &[
    "adfs",
    "iso8583",
    "user_enrollment",
    "activation",
    "ldap",
    "terminal_services",
    "logmein",
    "userportal",
    "pfsdk",
    "pfwebui",
    "isapi",
    "radius",
    "mswin",
    "test",
    "invalid",
    "unspecified",
];

/// The quoted SOAPAction header value for an operation.
pub fn soap_action(op: &str) -> String {
    format!("\"{PFWSSDK_NS}/{op}\"")
}

/// Builds a request envelope: `<op>` wrapping `params` in order, each value escaped.
/// `None` values are omitted (what XmlSerializer does with null strings).
pub fn request(op: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut body = String::with_capacity(512);
    body.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    body.push_str(r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>"#);
    body.push('<');
    body.push_str(op);
    body.push_str(" xmlns=\"");
    body.push_str(PFWSSDK_NS);
    body.push_str("\">");
    for (name, value) in params {
        if let Some(v) = value {
            body.push_str(&format!("<{name}>{}</{name}>", escape(*v)));
        }
    }
    body.push_str(&format!("</{op}></soap:Body></soap:Envelope>"));
    body
}

/// Why a response could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// The server answered with a SOAP fault.
    #[error("SOAP fault {code}: {message}")]
    Fault {
        /// `faultcode`.
        code: String,
        /// `faultstring`.
        message: String,
    },
    /// The answer is not the expected SOAP document.
    #[error("unexpected SOAP answer: {0}")]
    Protocol(String),
}

fn protocol(msg: impl Into<String>) -> SoapError {
    SoapError::Protocol(msg.into())
}

/// Reads a response body: returns the `<op>Response` element or the fault.
///
/// Strict where it decides: exactly one `Envelope` (SOAP 1.1), an optional `Header` before
/// exactly one `Body`, nothing else in the Envelope, and exactly one element in the Body:
/// the `{PfWsSdk}<op>Response` or a `Fault`. Anything else is [`SoapError::Protocol`].
pub fn response(body: &[u8], op: &str) -> Result<Node, SoapError> {
    let mut root = xml::parse(body).map_err(|e| protocol(e.to_string()))?;
    if !root.is(SOAP11_NS, "Envelope") {
        return Err(protocol(format!(
            "the root element is {}, not a SOAP 1.1 Envelope",
            name_of(&root)
        )));
    }
    let body_at = envelope_body(&root)?;
    let mut body = root.children.swap_remove(body_at);
    if body.children.len() != 1 {
        return Err(protocol(format!(
            "the Body holds {} elements; exactly one (the {op}Response or a Fault) is expected",
            body.children.len()
        )));
    }
    let first = body.children.pop().expect("one child");
    if first.is(SOAP11_NS, "Fault") {
        return Err(fault_of(&first)?);
    }
    let expected = format!("{op}Response");
    if !first.is(PFWSSDK_NS, &expected) {
        return Err(protocol(format!(
            "expected {{{PFWSSDK_NS}}}{expected}, got {}",
            name_of(&first)
        )));
    }
    Ok(first)
}

/// The index of the one Body; the Envelope may hold one Header before it and nothing else.
fn envelope_body(envelope: &Node) -> Result<usize, SoapError> {
    let mut body = None;
    for (i, child) in envelope.children.iter().enumerate() {
        match (child.is(SOAP11_NS, "Header"), child.is(SOAP11_NS, "Body")) {
            (true, _) if i == 0 => {}
            (true, _) => {
                return Err(protocol(
                    "a Header stands after the first element of the Envelope",
                ))
            }
            (_, true) if body.is_none() => body = Some(i),
            (_, true) => return Err(protocol("the Envelope holds more than one Body")),
            _ => {
                return Err(protocol(format!(
                    "the Envelope holds an unexpected element {}",
                    name_of(child)
                )))
            }
        }
    }
    body.ok_or_else(|| protocol("the Envelope has no Body"))
}

/// A SOAP 1.1 fault: `faultcode` and `faultstring` (unqualified, as SOAP 1.1 says; also
/// accepted qualified), each at most once and plain text.
fn fault_of(fault: &Node) -> Result<SoapError, SoapError> {
    let field = |name: &str| -> Result<String, SoapError> {
        let mut found = fault.children.iter().filter(|c| c.local == name);
        match (found.next(), found.next()) {
            (None, _) => Ok(String::new()),
            (Some(_), Some(_)) => Err(protocol(format!("the Fault holds more than one {name}"))),
            (Some(n), None) => n
                .value()
                .map(str::to_owned)
                .ok_or_else(|| protocol(format!("the Fault's {name} is not plain text"))),
        }
    };
    Ok(SoapError::Fault {
        code: field("faultcode")?,
        message: field("faultstring")?,
    })
}

fn name_of(node: &Node) -> String {
    format!("{{{}}}{}", node.ns.as_deref().unwrap_or(""), node.local)
}

/// The child `name` of a response element (in the PfWsSdk namespace): `None` when absent
/// or nil; an error when it appears more than once.
pub fn field<'a>(parent: &'a Node, name: &str) -> Result<Option<&'a Node>, SoapError> {
    match parent.count(PFWSSDK_NS, name) {
        0 => Ok(None),
        1 => Ok(parent.child(PFWSSDK_NS, name).filter(|n| !n.nil)),
        n => Err(protocol(format!(
            "<{}> holds {name} {n} times; at most once is allowed",
            parent.local
        ))),
    }
}

/// The plain-text value of an optional field: an error when it holds elements, or a
/// comment beside its text.
pub fn value(node: Option<&Node>) -> Result<Option<&str>, SoapError> {
    match node {
        None => Ok(None),
        Some(n) => n
            .value()
            .map(Some)
            .ok_or_else(|| protocol(format!("<{}> is not a plain text value", n.local))),
    }
}

/// The text of field `name` (absent or nil: `None`), strictly.
pub fn text<'a>(parent: &'a Node, name: &str) -> Result<Option<&'a str>, SoapError> {
    value(field(parent, name)?)
}

/// An `xsd:boolean` field: `true`/`false`/`1`/`0`; absent or nil is `None`; any other
/// value is an error.
pub fn boolean(parent: &Node, name: &str) -> Result<Option<bool>, SoapError> {
    match text(parent, name)? {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(protocol(format!("<{name}> is not an xsd:boolean"))),
    }
}

/// A `{Code, Description}` field (CallResult, Error): `None` when absent or nil; an error
/// when either part is repeated or not plain text, or the code is not an `xsd:int`.
pub fn code_pair(parent: &Node, name: &str) -> Result<Option<(i32, String)>, SoapError> {
    let Some(node) = field(parent, name)? else {
        return Ok(None);
    };
    let code = match text(node, "Code")? {
        None => None,
        Some(c) => Some(
            c.parse::<i32>()
                .map_err(|_| protocol(format!("<{name}><Code> is not an xsd:int")))?,
        ),
    };
    let description = text(node, "Description")?.unwrap_or_default().to_owned();
    Ok(code.map(|c| (c, description)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_wrapped_in_the_sdk_namespace_and_escapes_values() {
        let evil = "a</username><requireUserMatch>false</requireUserMatch><x>&\"'";
        let doc = request(
            "PfAuthUser_4",
            &[
                ("username", Some(evil)),
                ("requireUserMatch", Some("true")),
                ("skip", None),
            ],
        );
        let root = xml::parse(doc.as_bytes()).unwrap();
        let op = &root.child(SOAP11_NS, "Body").unwrap().children[0];
        assert!(op.is(PFWSSDK_NS, "PfAuthUser_4"));
        assert_eq!(op.children.len(), 2, "{doc}");
        assert_eq!(op.child(PFWSSDK_NS, "username").unwrap().text, evil);
        assert_eq!(
            op.child(PFWSSDK_NS, "requireUserMatch").unwrap().text,
            "true"
        );
        assert_eq!(
            soap_action("TestSecurity"),
            "\"http://www.phonefactor.com/PfWsSdk/TestSecurity\""
        );
    }

    #[test]
    fn faults_report_the_servers_message() {
        let body = br#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; boom</faultstring></soap:Fault></soap:Body></soap:Envelope>"#;
        match response(body, "TestSecurity") {
            Err(SoapError::Fault { code, message }) => {
                assert_eq!(code, "soap:Server");
                assert!(message.ends_with("---> boom"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_operation_or_namespace_is_rejected() {
        let wrap = |inner: &str| {
            format!(r#"<s:Envelope xmlns:s="{SOAP11_NS}"><s:Body>{inner}</s:Body></s:Envelope>"#)
        };
        assert!(response(
            wrap(r#"<UserExistsResponse xmlns="http://www.phonefactor.com/PfWsSdk"/>"#).as_bytes(),
            "PfAuthUser_4"
        )
        .is_err());
        assert!(response(
            wrap(r#"<PfAuthUser_4Response xmlns="http://www.phonefactor.com/PfWsSdk/"/>"#)
                .as_bytes(),
            "PfAuthUser_4"
        )
        .is_err());
        assert!(response(
            wrap(r#"<PfAuthUser_4Response/>"#).as_bytes(),
            "PfAuthUser_4"
        )
        .is_err());
        assert!(response(wrap("").as_bytes(), "PfAuthUser_4").is_err());
        let soap12 = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><PfAuthUser_4Response xmlns="http://www.phonefactor.com/PfWsSdk"/></s:Body></s:Envelope>"#;
        assert!(response(soap12.as_bytes(), "PfAuthUser_4").is_err());
        assert!(response(
            wrap(r#"<PfAuthUser_4Response xmlns="http://www.phonefactor.com/PfWsSdk"/>"#)
                .as_bytes(),
            "PfAuthUser_4"
        )
        .is_ok());
    }

    fn envelope(body: &str) -> String {
        format!(r#"<s:Envelope xmlns:s="{SOAP11_NS}" xmlns="{PFWSSDK_NS}">{body}</s:Envelope>"#)
    }

    #[test]
    fn the_envelope_is_read_strictly() {
        let ok = "<s:Body><PfAuthUser_4Response/></s:Body>";
        assert!(response(envelope(ok).as_bytes(), "PfAuthUser_4").is_ok());
        assert!(response(
            envelope(&format!("<s:Header/>{ok}")).as_bytes(),
            "PfAuthUser_4"
        )
        .is_ok());
        for bad in [
            format!("{ok}{ok}"),
            format!("{ok}<s:Header/>"),
            format!("<s:Header/><s:Header/>{ok}"),
            format!("{ok}<Extra/>"),
            "<s:Body><PfAuthUser_4Response/><PfAuthUser_4Response/></s:Body>".into(),
            "<s:Body><PfAuthUser_4Response/><s:Fault/></s:Body>".into(),
            "<s:Body/>".into(),
            String::new(),
        ] {
            assert!(
                matches!(
                    response(envelope(&bad).as_bytes(), "PfAuthUser_4"),
                    Err(SoapError::Protocol(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn booleans_and_codes_are_strict() {
        let doc = |inner: &str| {
            xml::parse(format!(r#"<r xmlns="{PFWSSDK_NS}">{inner}</r>"#).as_bytes()).unwrap()
        };
        assert_eq!(boolean(&doc("<v>true</v>"), "v"), Ok(Some(true)));
        assert_eq!(boolean(&doc("<v> 0\n</v>"), "v"), Ok(Some(false)));
        assert_eq!(boolean(&doc(""), "v"), Ok(None));
        for bad in ["True", "yes", "", "truee", "\u{a0}true"] {
            assert!(
                boolean(&doc(&format!("<v>{bad}</v>")), "v").is_err(),
                "{bad}"
            );
        }
        assert!(boolean(&doc("<v>true</v><v>true</v>"), "v").is_err());
        assert!(boolean(&doc("<v><!--x-->true</v>"), "v").is_err());
        assert_eq!(
            code_pair(&doc("<c><Code>21</Code></c>"), "c"),
            Ok(Some((21, String::new())))
        );
        assert!(code_pair(&doc("<c><Code>21</Code><Code>21</Code></c>"), "c").is_err());
        assert!(code_pair(&doc("<c><Code>21x</Code></c>"), "c").is_err());
        assert!(code_pair(
            &doc("<c><Code>21</Code><Description>a</Description><Description>b</Description></c>"),
            "c"
        )
        .is_err());
        assert_eq!(code_pair(&doc("<c/>"), "c"), Ok(None));
    }
}
