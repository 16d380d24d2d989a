//! A small, bounded XML tree reader over quick-xml's plain (non-namespace) reader.
//!
//! It resolves namespaces itself (any prefix, default namespaces, `xmlns=""`), unescapes
//! text, notes `xsi:nil`, strips a UTF-8 BOM and rejects what a SOAP answer never needs:
//! DTDs, mixed content, trailing or truncated content.
//!
//! **Bounded.** Reading costs time and memory linear in the input with small constants,
//! whatever its shape: every dimension a hostile document could inflate has a limit
//! ([`Limits`]): elements, depth, attributes per element, namespace declarations, name,
//! namespace-URI and text lengths. Namespace URIs are interned: an element holds a shared
//! reference, never its own copy. The simulator uses the same reader for requests.
//!
//! [`lexical`]: the XML 1.0 rules quick-xml does not enforce; `scope`: namespace
//! bindings and the checks every attribute passes.

pub mod lexical;
mod scope;

use lexical::{
    attributes_spaced, check_chars, check_declaration, check_qname, is_xml_char, valid_pi,
};
use quick_xml::events::Event;
use quick_xml::Reader;
use scope::{split_name, unescaped, Scope};
use std::borrow::Cow;
use std::sync::Arc;

/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The namespace of the predefined `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// What one document may contain at most. A SOAP answer of this SDK has fewer than 50
/// elements, a handful of namespace declarations and short values; the limits leave wide
/// room for real servers and none for amplification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Most elements in the document.
    pub max_elements: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most attributes on one element (namespace declarations included).
    pub max_attributes: usize,
    /// Most namespace declarations in the whole document.
    pub max_namespace_declarations: usize,
    /// Longest element or attribute name (prefix included), in bytes.
    pub max_name_bytes: usize,
    /// Longest namespace URI, in bytes.
    pub max_namespace_uri_bytes: usize,
    /// Longest character data of one element (after unescaping), in bytes.
    pub max_text_bytes: usize,
}

/// The limits every reader in this project uses.
pub const LIMITS: Limits = Limits {
    max_bytes: 4 * 1024 * 1024,
    max_elements: 4096,
    max_depth: 32,
    max_attributes: 32,
    max_namespace_declarations: 64,
    max_name_bytes: 256,
    max_namespace_uri_bytes: 1024,
    max_text_bytes: 64 * 1024,
};

/// Deepest element nesting accepted (see [`LIMITS`]).
pub const MAX_DEPTH: usize = LIMITS.max_depth;

/// One element: its namespace, local name, text and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// Namespace URI (`None` when unqualified); shared with every element in it.
    pub ns: Option<Arc<str>>,
    /// Local name (without prefix).
    pub local: String,
    /// Character data directly inside this element (text, CDATA, character references),
    /// trimmed of XML white space (space, tab, CR, LF) only.
    pub text: String,
    /// `xsi:nil="true"` was present.
    pub nil: bool,
    /// A comment or processing instruction stands beside non-blank text: the element is
    /// not a plain value (see [`Node::value`]).
    pub interrupted: bool,
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

    /// How many children are `{ns}local`.
    pub fn count(&self, ns: &str, local: &str) -> usize {
        self.children.iter().filter(|c| c.is(ns, local)).count()
    }

    /// The element's value when it is a plain text value: no child elements and no
    /// comment or processing instruction beside its text. `None` otherwise.
    pub fn value(&self) -> Option<&str> {
        (self.children.is_empty() && !self.interrupted).then_some(self.text.as_str())
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct XmlError(pub String);

fn err(msg: impl Into<String>) -> XmlError {
    XmlError(msg.into())
}

/// XML white space (the `S` production): space, tab, CR, LF. Nothing else.
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Trims XML white space only (not U+00A0, U+2003 or any other Unicode space).
pub fn trim_xml_space(s: &str) -> &str {
    s.trim_matches(is_xml_space)
}

/// An element being read.
struct Open {
    node: Node,
    /// Namespace bindings this element declared (popped at its end).
    bindings: usize,
    /// A comment or PI was seen inside it.
    markup: bool,
}

/// Parses a whole document into its root element, within [`LIMITS`].
pub fn parse(bytes: &[u8]) -> Result<Node, XmlError> {
    parse_with(bytes, &LIMITS)
}

/// Parses a whole document into its root element, within `limits`.
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<Node, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(err(format!(
            "the document is larger than {} bytes",
            limits.max_bytes
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))?;
    if let Some(c) = text.chars().find(|c| !is_xml_char(*c)) {
        return Err(err(format!(
            "U+{:04X} is not allowed in an XML document",
            c as u32
        )));
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut scope = Scope {
        limits,
        bindings: Vec::new(),
        interned: Vec::new(),
        declared: 0,
        xml_ns: Arc::from(XML_NS),
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    let mut first_event = true;
    loop {
        let event = reader.read_event().map_err(|e| err(e.to_string()))?;
        let is_first = std::mem::replace(&mut first_event, false);
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(err("content after the root element"));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(err(format!("more than {} elements", limits.max_elements)));
                }
                let name = e.name();
                if name.as_ref().len() > limits.max_name_bytes {
                    return Err(err(format!(
                        "an element name is longer than {} bytes",
                        limits.max_name_bytes
                    )));
                }
                check_qname(name.as_ref())?;
                if !attributes_spaced(e.attributes_raw()) {
                    return Err(err("attributes must be separated by white space"));
                }
                let pushed = scope.declare(e)?;
                let (prefix, local) = split_name(name.as_ref());
                if prefix == b"xmlns" {
                    return Err(err("the 'xmlns' prefix cannot name an element"));
                }
                let mut node = Node {
                    ns: scope.resolve(prefix)?,
                    local: String::from_utf8_lossy(local).into_owned(),
                    ..Default::default()
                };
                // Second pass (the first checked them and bound this element's
                // namespaces): every prefix resolves, no two attributes share an
                // expanded name (p:x and q:x with p and q bound alike); note xsi:nil.
                let mut expanded: Vec<(Arc<str>, &[u8])> = Vec::new();
                for attr in e.attributes().with_checks(false).flatten() {
                    let key: &[u8] = attr.key.into_inner();
                    let (p, local) = split_name(key);
                    if p.is_empty() || p == b"xmlns" {
                        continue;
                    }
                    let ns = scope
                        .resolve(p)?
                        .ok_or_else(|| err("a prefix is unbound"))?;
                    if expanded.iter().any(|(n, l)| *n == ns && *l == local) {
                        return Err(err("two attributes have the same expanded name"));
                    }
                    if local == b"nil" && &*ns == XSI_NS {
                        node.nil = matches!(trim_xml_space(&unescaped(&attr)?), "true" | "1");
                    }
                    expanded.push((ns, local));
                }
                let open = Open {
                    node,
                    bindings: pushed,
                    markup: false,
                };
                if matches!(event, Event::Empty(_)) {
                    close(open, &mut stack, &mut root, &mut scope)?;
                } else {
                    if stack.len() >= limits.max_depth {
                        return Err(err(format!(
                            "nested deeper than {} elements",
                            limits.max_depth
                        )));
                    }
                    stack.push(open);
                }
            }
            Event::End(_) => {
                let open = stack.pop().ok_or_else(|| err("unexpected end tag"))?;
                close(open, &mut stack, &mut root, &mut scope)?;
            }
            Event::Text(ref t) if t.windows(3).any(|w| w == b"]]>") => {
                return Err(err("']]>' stands in character data"));
            }
            Event::Text(t) => match stack.last_mut() {
                Some(top) => {
                    let s = t.unescape().map_err(|e| err(e.to_string()))?;
                    if let Cow::Owned(resolved) = &s {
                        check_chars(resolved)?;
                    }
                    append(top, &s, limits)?;
                }
                // Outside the root only literal white space (not even a reference to it).
                None if t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) => {}
                None => return Err(err("text outside the root element")),
            },
            Event::CData(c) => {
                let s = std::str::from_utf8(&c).map_err(|e| err(e.to_string()))?;
                let top = stack
                    .last_mut()
                    .ok_or_else(|| err("CDATA outside the root element"))?;
                append(top, s, limits)?;
            }
            Event::DocType(_) => return Err(err("DTDs are not accepted")),
            Event::Comment(ref c) if c.windows(2).any(|w| w == b"--") || c.ends_with(b"-") => {
                return Err(err("a comment contains '--'"));
            }
            Event::PI(ref p) if !valid_pi(p) => {
                return Err(err("a processing instruction has an invalid target"));
            }
            Event::Comment(_) | Event::PI(_) => {
                if let Some(top) = stack.last_mut() {
                    top.markup = true;
                }
            }
            Event::Decl(ref d) => {
                if elements > 0 || !is_first {
                    return Err(err(
                        "an XML declaration stands after the start of the document",
                    ));
                }
                check_declaration(d)?;
            }
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(format!(
            "document ends inside <{}> (truncated?)",
            open.node.local
        )));
    }
    root.ok_or_else(|| err("no root element (empty body?)"))
}

fn append(top: &mut Open, s: &str, limits: &Limits) -> Result<(), XmlError> {
    if top.node.text.len() + s.len() > limits.max_text_bytes {
        return Err(err(format!(
            "<{}> holds more than {} bytes of text",
            top.node.local, limits.max_text_bytes
        )));
    }
    top.node.text.push_str(s);
    Ok(())
}

fn close(
    open: Open,
    stack: &mut [Open],
    root: &mut Option<Node>,
    scope: &mut Scope<'_>,
) -> Result<(), XmlError> {
    let Open {
        mut node,
        bindings,
        markup,
    } = open;
    scope.pop(bindings);
    let trimmed = trim_xml_space(&node.text);
    if trimmed.len() != node.text.len() {
        node.text = trimmed.to_owned();
    }
    if !node.text.is_empty() && !node.children.is_empty() {
        return Err(err(format!(
            "<{}> mixes text and elements (mixed content)",
            node.local
        )));
    }
    node.interrupted = markup && !node.text.is_empty();
    match stack.last_mut() {
        Some(parent) => parent.node.children.push(node),
        None => *root = Some(node),
    }
    Ok(())
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
        parse(b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><a/>").unwrap();
        let c = parse(br#"<a xmlns="urn:x"><b xmlns=""><c/></b></a>"#).unwrap();
        assert_eq!(c.children[0].ns, None);
        assert_eq!(c.children[0].children[0].ns, None);
    }

    #[test]
    fn namespace_uris_are_shared_not_copied() {
        let n = parse(br#"<a xmlns="urn:x"><b/><c/></a>"#).unwrap();
        let (b, c) = (
            n.children[0].ns.clone().unwrap(),
            n.children[1].ns.clone().unwrap(),
        );
        assert!(Arc::ptr_eq(&b, &c));
    }

    #[test]
    fn notes_nil_and_unescapes() {
        let r = parse(br#"<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="&#116;rue"/><c i:nil="false">1</c></a>"#).unwrap();
        assert!(
            r.children[0].nil,
            "the value is read with its references resolved"
        );
        assert!(!r.children[1].nil);
        let n = parse(br#"<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"/><c>&lt;x&gt;&amp;&#65;<![CDATA[<y>]]></c></a>"#).unwrap();
        assert!(n.children[0].nil);
        assert_eq!(n.children[1].value(), Some("<x>&A<y>"));
    }

    #[test]
    fn trims_xml_white_space_only() {
        let n = parse("<a>\u{a0}true\u{2003}</a>".as_bytes()).unwrap();
        assert_eq!(n.text, "\u{a0}true\u{2003}");
        let n = parse(b"<a>\r\n\t true \n</a>").unwrap();
        assert_eq!(n.value(), Some("true"));
    }

    #[test]
    fn values_are_text_only() {
        assert!(parse(b"<r><a>tr<x/>ue</a></r>").is_err(), "mixed content");
        let n = parse(b"<r><a>tr<!--x-->ue</a><b><!--c-->true</b><c><!--c--></c></r>").unwrap();
        assert_eq!(n.children[0].value(), None);
        assert_eq!(n.children[1].value(), None);
        assert_eq!(n.children[2].value(), Some(""));
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
            b"<a xmlns:p=\"\"/>",
            b"<xmlns:a/>",
            b"<a p:x=\"1\"/>",
            b"<?xml version=\"1.0k\"><b\" encoding=\"utf-8\"?><a/>",
            b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>",
            b"<?xml encoding=\"utf-8\" version=\"1.0\"?><a/>",
            b"<?xml version=\"1.0\"encoding=\"utf-8\"?><a/>",
            b"<a/><?xml version=\"1.0\"?>",
            b"<!--c--><?xml version=\"1.0\"?><a/>",
            b"<a>&#xe;</a>",
            b"<a>x]]>y</a>",
            b"<a xmlns:x=\"http://www.w3.org/XML/1998/namespace\"/>",
            b"<a xmlns=\"http://www.w3.org/2000/xmlns/\"/>",
            b"<a xmlns:p=\"u\" xmlns:q=\"u\" p:x=\"1\" q:x=\"2\"/>",
            b"<a b=\"&#1;\"/>",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn every_limit_holds() {
        let wide = format!("<a>{}</a>", "<b/>".repeat(LIMITS.max_elements));
        assert!(parse(wide.as_bytes()).unwrap_err().0.contains("elements"));
        let attrs: String = (0..=LIMITS.max_attributes)
            .map(|i| format!(" a{i}=\"\""))
            .collect();
        assert!(parse(format!("<a{attrs}/>").as_bytes())
            .unwrap_err()
            .0
            .contains("attributes"));
        let decls: String = (0..=LIMITS.max_namespace_declarations)
            .map(|i| format!("<x xmlns:p{i}=\"urn:{i}\"/>"))
            .collect();
        assert!(parse(format!("<a>{decls}</a>").as_bytes())
            .unwrap_err()
            .0
            .contains("namespace declarations"));
        let long = "n".repeat(LIMITS.max_name_bytes + 1);
        assert!(parse(format!("<{long}/>").as_bytes()).is_err());
        let uri = "u".repeat(LIMITS.max_namespace_uri_bytes + 1);
        assert!(parse(format!("<a xmlns=\"{uri}\"/>").as_bytes()).is_err());
        let text = "t".repeat(LIMITS.max_text_bytes + 1);
        assert!(parse(format!("<a>{text}</a>").as_bytes()).is_err());
        let big = vec![b' '; LIMITS.max_bytes + 1];
        assert!(parse(&big).is_err());
    }
}
