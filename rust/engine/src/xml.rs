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

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::sync::Arc;

/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

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

/// The XML 1.0 `Char` production (no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Every character is an XML `Char` (character references included: `&#xE;` is as
/// forbidden as the raw control character).
fn check_chars(s: &str) -> Result<(), XmlError> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        None => Ok(()),
        Some(c) => Err(err(format!(
            "U+{:04X} is not allowed in an XML document",
            c as u32
        ))),
    }
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

/// The namespaces in scope: a stack of (prefix, interned URI); `None` URI undeclares.
struct Scope<'l> {
    limits: &'l Limits,
    bindings: Vec<(Vec<u8>, Option<Arc<str>>)>,
    interned: Vec<Arc<str>>,
    declared: usize,
}

impl Scope<'_> {
    fn intern(&mut self, uri: &str) -> Arc<str> {
        if let Some(found) = self.interned.iter().find(|u| &***u == uri) {
            return found.clone();
        }
        let arc: Arc<str> = Arc::from(uri);
        self.interned.push(arc.clone());
        arc
    }

    fn resolve(&self, prefix: &[u8]) -> Result<Option<Arc<str>>, XmlError> {
        if let Some((_, uri)) = self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            return Ok(uri.clone());
        }
        match prefix {
            b"" => Ok(None),
            b"xml" => Ok(Some(Arc::from(XML_NS))),
            p => Err(err(format!(
                "undeclared namespace prefix '{}'",
                String::from_utf8_lossy(p)
            ))),
        }
    }

    /// Reads the attributes of a start tag: pushes its namespace declarations and returns
    /// how many it pushed, and the (prefix, local, raw value) of the other attributes.
    fn declare(&mut self, e: &BytesStart<'_>) -> Result<(usize, Vec<Attr>), XmlError> {
        let mut pushed = 0;
        let mut attrs = Vec::new();
        for (i, attr) in e.attributes().enumerate() {
            if i >= self.limits.max_attributes {
                return Err(err(format!(
                    "an element has more than {} attributes",
                    self.limits.max_attributes
                )));
            }
            let attr = attr.map_err(|e| err(e.to_string()))?;
            // Well-formed values only: no '<', and every reference resolvable.
            if attr.value.contains(&b'<') {
                return Err(err("an attribute value contains '<'"));
            }
            let unescaped = attr.unescape_value().map_err(|e| err(e.to_string()))?;
            check_chars(&unescaped)?;
            let key = attr.key.as_ref();
            check_qname(key)?;
            if key.len() > self.limits.max_name_bytes {
                return Err(err(format!(
                    "an attribute name is longer than {} bytes",
                    self.limits.max_name_bytes
                )));
            }
            let prefix = if key == b"xmlns" {
                Some(&b""[..])
            } else {
                key.strip_prefix(b"xmlns:")
            };
            match prefix {
                Some(b"") if key != b"xmlns" => {
                    return Err(err("an empty namespace prefix is declared ('xmlns:')"))
                }
                Some(prefix) => {
                    self.declared += 1;
                    if self.declared > self.limits.max_namespace_declarations {
                        return Err(err(format!(
                            "more than {} namespace declarations",
                            self.limits.max_namespace_declarations
                        )));
                    }
                    if attr.value.len() > self.limits.max_namespace_uri_bytes {
                        return Err(err(format!(
                            "a namespace URI is longer than {} bytes",
                            self.limits.max_namespace_uri_bytes
                        )));
                    }
                    let uri = attr.unescape_value().map_err(|e| err(e.to_string()))?;
                    let uri = match (prefix, uri.is_empty()) {
                        (b"", true) => None,
                        (_, true) => return Err(err("a namespace prefix is bound to ''")),
                        (b"xmlns", _) | (b"xml", _) => {
                            return Err(err("the 'xml' and 'xmlns' prefixes cannot be redeclared"))
                        }
                        _ => Some(self.intern(&uri)),
                    };
                    self.bindings.push((prefix.to_vec(), uri));
                    pushed += 1;
                }
                None => {
                    let (p, local) = split_name(key);
                    attrs.push(Attr {
                        prefix: p.to_vec(),
                        local: local.to_vec(),
                        value: attr.value.into_owned(),
                    });
                }
            }
        }
        Ok((pushed, attrs))
    }

    fn pop(&mut self, n: usize) {
        let keep = self.bindings.len().saturating_sub(n);
        self.bindings.truncate(keep);
    }
}

struct Attr {
    prefix: Vec<u8>,
    local: Vec<u8>,
    value: Vec<u8>,
}

/// XML 1.0 (5th edition) `NameStartChar`, without ':' (names here are namespace QNames).
fn is_name_start(c: char) -> bool {
    matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// A namespace QName: `NCName` or `NCName:NCName`.
fn check_qname(name: &[u8]) -> Result<(), XmlError> {
    let text = std::str::from_utf8(name).map_err(|_| err("a name is not UTF-8"))?;
    let ok = text.split(':').count() <= 2
        && text.split(':').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
        });
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "'{}' is not a valid name",
            crate::redact::bound(text, 40)
        )))
    }
}

/// Every attribute value is followed by white space or the end of the tag (quick-xml
/// accepts `a="1"b="2"`; XML does not).
fn attributes_spaced(raw: &[u8]) -> bool {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            let mut j = i + 1;
            while j < raw.len() && matches!(raw[j], b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            let Some(&q) = raw.get(j).filter(|q| matches!(q, b'"' | b'\'')) else {
                return false;
            };
            let Some(len) = raw[j + 1..].iter().position(|&b| b == q) else {
                return false;
            };
            let close = j + 1 + len;
            if raw
                .get(close + 1)
                .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/'))
            {
                return false;
            }
            i = close + 1;
        } else {
            i += 1;
        }
    }
    true
}

/// A processing instruction's target is a name other than `xml` (any case), followed by
/// white space or nothing.
fn valid_pi(raw: &[u8]) -> bool {
    let end = raw
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(raw.len());
    let target = &raw[..end];
    check_qname(target).is_ok() && !target.contains(&b':') && !target.eq_ignore_ascii_case(b"xml")
}

fn split_name(name: &[u8]) -> (&[u8], &[u8]) {
    match name.iter().position(|&b| b == b':') {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => (&b""[..], name),
    }
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
                let (pushed, attrs) = scope.declare(e)?;
                let (prefix, local) = split_name(name.as_ref());
                if prefix == b"xmlns" {
                    return Err(err("the 'xmlns' prefix cannot name an element"));
                }
                let mut node = Node {
                    ns: scope.resolve(prefix)?,
                    local: String::from_utf8_lossy(local).into_owned(),
                    ..Default::default()
                };
                for a in &attrs {
                    if a.local == b"nil" && !a.prefix.is_empty() {
                        if scope.resolve(&a.prefix)?.as_deref() == Some(XSI_NS) {
                            let v = std::str::from_utf8(&a.value).unwrap_or("");
                            node.nil = matches!(trim_xml_space(v), "true" | "1");
                        }
                    } else if !a.prefix.is_empty() {
                        scope.resolve(&a.prefix)?;
                    }
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
            Event::Text(t) => match stack.last_mut() {
                Some(top) => {
                    let s = t.unescape().map_err(|e| err(e.to_string()))?;
                    check_chars(&s)?;
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

/// The XML declaration, strictly: `xml version="1.0"`, then optionally an `encoding` of
/// UTF-8 and a `standalone` of yes/no, in that order (the XML 1.0 `XMLDecl` production).
fn check_declaration(raw: &[u8]) -> Result<(), XmlError> {
    let bad = || err("malformed XML declaration");
    let text = std::str::from_utf8(raw).map_err(|_| bad())?;
    let mut rest = text.strip_prefix("xml").ok_or_else(bad)?;
    let mut expect = ["version", "encoding", "standalone"].into_iter();
    let mut seen_version = false;
    loop {
        let trimmed = rest.trim_start_matches(is_xml_space);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err(bad());
        }
        let (name, after) = trimmed.split_once('=').ok_or_else(bad)?;
        let name = trim_xml_space(name);
        if !expect.by_ref().any(|n| n == name) {
            return Err(bad());
        }
        let after = after.trim_start_matches(is_xml_space);
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(bad)?;
        let (value, tail) = after[1..].split_once(quote).ok_or_else(bad)?;
        let ok = match name {
            "version" => value == "1.0",
            "encoding" => value.eq_ignore_ascii_case("utf-8"),
            _ => value == "yes" || value == "no",
        };
        if !ok || (name != "version" && !seen_version) {
            return Err(bad());
        }
        seen_version = true;
        rest = tail;
    }
    if seen_version {
        Ok(())
    } else {
        Err(bad())
    }
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
