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
pub fn response(body: &[u8], op: &str) -> Result<Node, SoapError> {
    let root = xml::parse(body).map_err(|e| protocol(e.to_string()))?;
    if !root.is(SOAP11_NS, "Envelope") {
        return Err(protocol(format!(
            "the root element is {{{}}}{}, not a SOAP 1.1 Envelope",
            root.ns.as_deref().unwrap_or(""),
            root.local
        )));
    }
    let body = root
        .child(SOAP11_NS, "Body")
        .ok_or_else(|| protocol("the Envelope has no Body"))?;
    let first = body
        .children
        .first()
        .ok_or_else(|| protocol("the Body is empty"))?;
    if first.is(SOAP11_NS, "Fault") {
        // faultcode/faultstring are unqualified in SOAP 1.1; accept them qualified too.
        let field = |name: &str| {
            first
                .children
                .iter()
                .find(|c| c.local == name)
                .map(|c| c.text.clone())
                .unwrap_or_default()
        };
        return Err(SoapError::Fault {
            code: field("faultcode"),
            message: field("faultstring"),
        });
    }
    let expected = format!("{op}Response");
    if !first.is(PFWSSDK_NS, &expected) {
        return Err(protocol(format!(
            "expected {{{PFWSSDK_NS}}}{expected}, got {{{}}}{}",
            first.ns.as_deref().unwrap_or(""),
            first.local
        )));
    }
    Ok(first.clone())
}

/// The child `name` of a response element (in the PfWsSdk namespace), unless absent or nil.
pub fn field<'a>(parent: &'a Node, name: &str) -> Option<&'a Node> {
    parent.child(PFWSSDK_NS, name).filter(|n| !n.nil)
}

/// An `xsd:boolean`: `true`/`false`/`1`/`0`; anything else is `None`.
pub fn boolean(node: Option<&Node>) -> Option<bool> {
    match node?.text.as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A `{Code, Description}` pair (CallResult, Error); `None` when absent, nil, or the code
/// is missing or not an `xsd:int`.
pub fn code_pair(node: Option<&Node>) -> Option<(i32, String)> {
    let node = node?;
    let code = field(node, "Code")?.text.parse::<i32>().ok()?;
    let desc = field(node, "Description")
        .map(|d| d.text.clone())
        .unwrap_or_default();
    Some((code, desc))
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

    #[test]
    fn booleans_and_codes_are_strict() {
        let n = |t: &str| Node {
            text: t.into(),
            ..Default::default()
        };
        assert_eq!(boolean(Some(&n("true"))), Some(true));
        assert_eq!(boolean(Some(&n("0"))), Some(false));
        for bad in ["True", "yes", "", "truee"] {
            assert_eq!(boolean(Some(&n(bad))), None, "{bad}");
        }
    }
}
