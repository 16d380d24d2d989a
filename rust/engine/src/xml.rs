//! A small, bounded XML tree reader over quick-xml's namespace-aware reader.
//!
//! It resolves namespaces (any prefix, default namespaces), unescapes text, notes
//! `xsi:nil`, strips a UTF-8 BOM and rejects what a SOAP answer never needs: DTDs,
//! documents deeper than [`MAX_DEPTH`], trailing or truncated content. The simulator
//! uses the same reader for requests.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// One element: its namespace, local name, trimmed text and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// Namespace URI (`None` when unqualified).
    pub ns: Option<String>,
    /// Local name (without prefix).
    pub local: String,
    /// Concatenated, trimmed character data directly inside this element.
    pub text: String,
    /// `xsi:nil="true"` was present.
    pub nil: bool,
    /// Child elements in document order.
    pub children: Vec<Node>,
}

impl Node {
    /// `true` when this element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == Some(ns)
    }

    /// The first child `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is(ns, local))
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct XmlError(pub String);

fn err(msg: impl Into<String>) -> XmlError {
    XmlError(msg.into())
}

fn ns_of(r: ResolveResult<'_>) -> Result<Option<String>, XmlError> {
    match r {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(err(format!(
            "undeclared namespace prefix '{}'",
            String::from_utf8_lossy(&p)
        ))),
    }
}

/// Parses a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Node, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| err(e.to_string()))?;
        let ns = match &event {
            Event::Start(_) | Event::Empty(_) => ns_of(ns)?,
            _ => None,
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(err("content after the root element"));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut node = Node {
                    ns,
                    local: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Default::default()
                };
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| err(e.to_string()))?;
                    let (ans, local) = reader.resolve_attribute(attr.key);
                    if local.as_ref() == b"nil" && ns_of(ans)?.as_deref() == Some(XSI_NS) {
                        let v = attr.unescape_value().map_err(|e| err(e.to_string()))?;
                        node.nil = matches!(v.trim(), "true" | "1");
                    }
                }
                if matches!(event, Event::Empty(_)) {
                    close(node, &mut stack, &mut root);
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err(format!("nested deeper than {MAX_DEPTH} elements")));
                    }
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| err("unexpected end tag"))?;
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| err(e.to_string()))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(err("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c)
                    .map_err(|e| err(e.to_string()))?
                    .to_owned();
                stack
                    .last_mut()
                    .ok_or_else(|| err("CDATA outside the root element"))?
                    .text
                    .push_str(&s);
            }
            Event::DocType(_) => return Err(err("DTDs are not accepted")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(err(format!(
            "document ends inside <{}> (truncated?)",
            stack.last().map_or("", |n| n.local.as_str())
        )));
    }
    root.ok_or_else(|| err("no root element (empty body?)"))
}

fn close(mut node: Node, stack: &mut [Node], root: &mut Option<Node>) {
    let trimmed = node.text.trim();
    if trimmed.len() != node.text.len() {
        node.text = trimmed.to_owned();
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_prefixes_and_default_namespaces_alike() {
        let a = parse(br#"<p:a xmlns:p="urn:x"><p:b>1</p:b></p:a>"#).unwrap();
        let b =
            parse(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\">\n  <b> 1 </b>\n</a>")
                .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.child("urn:x", "b").unwrap().text, "1");
    }

    #[test]
    fn notes_nil_and_unescapes() {
        let n = parse(br#"<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"/><c>&lt;x&gt;&amp;&#65;</c></a>"#).unwrap();
        assert!(n.children[0].nil);
        assert_eq!(n.children[1].text, "<x>&A");
    }

    #[test]
    fn rejects_what_a_soap_answer_never_needs() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a><b>",
            b"",
            b"<a/><b/>",
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            b"<p:a/>",
            b"<a>&bogus;</a>",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
    }
}
