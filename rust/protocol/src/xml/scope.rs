//! Namespace resolution for the reader: a bounded stack of bindings with interned URIs,
//! and the checks every attribute of a start tag must pass.

use super::lexical::{check_chars, check_qname};
use super::{err, Limits, XmlError, XML_NS};

/// The namespace of the `xmlns` attributes themselves (never bound to a prefix).
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
use quick_xml::events::attributes::Attribute;
use quick_xml::events::BytesStart;
use std::borrow::Cow;
use std::sync::Arc;

/// The namespaces in scope: a stack of (prefix, interned URI); `None` URI undeclares.
pub(super) struct Scope<'l> {
    pub(super) limits: &'l Limits,
    pub(super) bindings: Vec<(Vec<u8>, Option<Arc<str>>)>,
    pub(super) interned: Vec<Arc<str>>,
    pub(super) declared: usize,
    /// The predefined `xml` prefix's namespace, allocated once.
    pub(super) xml_ns: Arc<str>,
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

    pub(super) fn resolve(&self, prefix: &[u8]) -> Result<Option<Arc<str>>, XmlError> {
        if let Some((_, uri)) = self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            return Ok(uri.clone());
        }
        match prefix {
            b"" => Ok(None),
            b"xml" => Ok(Some(self.xml_ns.clone())),
            p => Err(err(format!(
                "undeclared namespace prefix '{}'",
                String::from_utf8_lossy(p)
            ))),
        }
    }

    /// Checks every attribute of a start tag, pushes its namespace declarations and
    /// returns how many it pushed.
    pub(super) fn declare(&mut self, e: &BytesStart<'_>) -> Result<usize, XmlError> {
        let mut pushed = 0;
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
            unescaped(&attr)?;
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
                    let uri = unescaped(&attr)?;
                    let uri = match (prefix, uri.is_empty()) {
                        (b"", true) => None,
                        (_, true) => return Err(err("a namespace prefix is bound to ''")),
                        (b"xmlns", _) | (b"xml", _) => {
                            return Err(err("the 'xml' and 'xmlns' prefixes cannot be redeclared"))
                        }
                        // Namespaces in XML: no other prefix (nor the default) may be
                        // bound to the xml or the xmlns namespace.
                        _ if &*uri == XML_NS || &*uri == XMLNS_NS => {
                            return Err(err(
                                "the xml and xmlns namespaces cannot be bound to another prefix",
                            ))
                        }
                        _ => Some(self.intern(&uri)),
                    };
                    self.bindings.push((prefix.to_vec(), uri));
                    pushed += 1;
                }
                None => {}
            }
        }
        Ok(pushed)
    }

    pub(super) fn pop(&mut self, n: usize) {
        let keep = self.bindings.len().saturating_sub(n);
        self.bindings.truncate(keep);
    }
}

/// An attribute's value with references resolved, every character checked.
pub(super) fn unescaped<'a>(attr: &Attribute<'a>) -> Result<Cow<'a, str>, XmlError> {
    let value = attr.unescape_value().map_err(|e| err(e.to_string()))?;
    if let Cow::Owned(resolved) = &value {
        // References can name characters the raw-text check never saw.
        check_chars(resolved)?;
    }
    Ok(value)
}

pub(super) fn split_name(name: &[u8]) -> (&[u8], &[u8]) {
    match name.iter().position(|&b| b == b':') {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => (&b""[..], name),
    }
}
