//! The lexical rules of XML 1.0 that quick-xml does not enforce and a decisive reader
//! must: characters (raw and by reference), names, the declaration, processing-instruction
//! targets, white space between attributes (and, in the reader, `]]>` in text). Each was found missing by the differential
//! check (`tests/differential.rs`, `fuzz/`): quick-xml read the documents, XML rejects them.

use super::{err, is_xml_space, trim_xml_space, XmlError};

/// The XML 1.0 `Char` production (no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF).
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Every character is an XML `Char` (character references included: `&#xE;` is as
/// forbidden as the raw control character).
pub(super) fn check_chars(s: &str) -> Result<(), XmlError> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        None => Ok(()),
        Some(c) => Err(err(format!(
            "U+{:04X} is not allowed in an XML document",
            c as u32
        ))),
    }
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
pub(super) fn check_qname(name: &[u8]) -> Result<(), XmlError> {
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
            crate::text::bound(text, 40)
        )))
    }
}

/// Every attribute value is followed by white space or the end of the tag (quick-xml
/// accepts `a="1"b="2"`; XML does not).
pub(super) fn attributes_spaced(raw: &[u8]) -> bool {
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
pub(super) fn valid_pi(raw: &[u8]) -> bool {
    let end = raw
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(raw.len());
    let target = &raw[..end];
    check_qname(target).is_ok() && !target.contains(&b':') && !target.eq_ignore_ascii_case(b"xml")
}

/// The XML declaration, strictly: `xml version="1.0"`, then optionally an `encoding` of
/// UTF-8 and a `standalone` of yes/no, in that order (the XML 1.0 `XMLDecl` production).
pub(super) fn check_declaration(raw: &[u8]) -> Result<(), XmlError> {
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
