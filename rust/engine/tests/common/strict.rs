//! An independent, deliberately simple check of "this body is an approval", written on
//! another XML parser (roxmltree) from the SDK contract alone: the differential fuzz
//! target and the `differential` test require it to agree whenever the engine approves.

const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const NS: &str = "http://www.phonefactor.com/PfWsSdk";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The CallResult codes of the "authenticated" row (mfa-server-sdk.md).
const AUTHENTICATED: &[i32] = &[1, 2, 6, 7, 8, 9, 19, 21, 23, 24, 25];

fn is(n: roxmltree::Node<'_, '_>, ns: &str, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(ns)
}

fn elements<'a, 'i>(n: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children().filter(|c| c.is_element()).collect()
}

fn no_stray_text(n: roxmltree::Node<'_, '_>) -> bool {
    n.children().filter(|c| c.is_text()).all(|t| {
        t.text()
            .unwrap_or("")
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
    })
}

/// The one element `{NS}name` among `parent`'s children, if exactly one.
fn only<'a, 'i>(parent: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    let mut found = parent.children().filter(|c| is(*c, NS, name));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The plain text of a value element: only text children, not nil.
fn value(n: roxmltree::Node<'_, '_>) -> Option<String> {
    if n.attribute((XSI, "nil"))
        .is_some_and(|v| v.trim() == "true" || v.trim() == "1")
    {
        return None;
    }
    if n.children().any(|c| !c.is_text()) {
        return None;
    }
    let text: String = n.children().filter_map(|c| c.text()).collect();
    Some(
        text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
            .to_string(),
    )
}

/// `true` when `body` (an HTTP 200 answer to `op`) is, by the contract, an approval.
pub fn is_approval(body: &[u8], op: &str) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return false;
    };
    let env = doc.root_element();
    if !is(env, SOAP, "Envelope") || !no_stray_text(env) {
        return false;
    }
    let kids = elements(env);
    let bodies: Vec<_> = match kids.as_slice() {
        [b] => vec![*b],
        [h, b] if is(*h, SOAP, "Header") => vec![*b],
        _ => return false,
    };
    let soap_body = bodies[0];
    if !is(soap_body, SOAP, "Body") || !no_stray_text(soap_body) {
        return false;
    }
    let response = match elements(soap_body).as_slice() {
        [r] if is(*r, NS, &format!("{op}Response")) => *r,
        _ => return false,
    };
    if !no_stray_text(response) {
        return false;
    }
    let result = only(response, &format!("{op}Result")).and_then(value);
    if !matches!(result.as_deref(), Some("true" | "1")) {
        return false;
    }
    let Some(call_result) = only(response, "callResult") else {
        return false;
    };
    if !no_stray_text(call_result) {
        return false;
    }
    let code = only(call_result, "Code")
        .and_then(value)
        .and_then(|c| c.parse::<i32>().ok());
    code.is_some_and(|c| AUTHENTICATED.contains(&c))
}
