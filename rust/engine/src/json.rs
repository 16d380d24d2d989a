//! The strict JSON reader every JSON provider (Duo now) reads its answers with.
//!
//! A provider's decision must not depend on which of two parsers read the bytes: a proxy or
//! an inspector in between that keeps the first of two duplicated keys, while we keep the
//! last, is exactly how an approval gets forged. So the reader refuses what parsers disagree
//! on, instead of choosing:
//!
//! - a duplicated key in any object, at any depth, compared after unescaping
//!   (`"result"` and `"res\u0075lt"` are the same key);
//! - a second document or anything but white space after the first (`end()`);
//! - a byte-order mark, invalid UTF-8, lone surrogates, numbers out of range;
//! - more than [`MAX_BYTES`] bytes (checked before parsing), nesting deeper than
//!   [`MAX_DEPTH`], more than [`MAX_NODES`] values, strings or keys longer than
//!   [`MAX_STRING_BYTES`].
//!
//! Values are read through typed accessors ([`StrictValue::str_field`] and friends) that
//! refuse the wrong type instead of reading it as missing.
//!
//! Self-contained (std, serde, serde_json, thiserror): it depends on nothing else in the
//! engine, so it can move to a protocol crate shared by providers.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;

/// Largest document read (bytes), checked before parsing.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Deepest nesting of arrays and objects (the top level is depth 1).
pub const MAX_DEPTH: usize = 32;
/// Most values (scalars, arrays, objects, keys included) in one document.
pub const MAX_NODES: usize = 20_000;
/// Longest string or key (bytes, after unescaping).
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Why a document was refused. Messages never quote the document's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// More than [`MAX_BYTES`].
    #[error("the JSON answer is larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// Starts with a byte-order mark.
    #[error("the JSON answer starts with a byte-order mark")]
    ByteOrderMark,
    /// Not JSON, a second document or trailing bytes (line and column of the problem).
    #[error("the answer is not one JSON document (line {line}, column {column})")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A key appears twice in one object.
    #[error("the JSON answer repeats a key in one object (refused, never first- or last-wins)")]
    DuplicateKey,
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("the JSON answer nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// More than [`MAX_NODES`] values.
    #[error("the JSON answer has more than {MAX_NODES} values")]
    TooManyValues,
    /// A string or key longer than [`MAX_STRING_BYTES`].
    #[error("the JSON answer has a string longer than {MAX_STRING_BYTES} bytes")]
    StringTooLong,
    /// The top level (or a member that must be one) is not an object.
    #[error("{0} is not a JSON object")]
    NotObject(&'static str),
    /// A member has another type than the one read.
    #[error("'{key}' is not a {expected}")]
    WrongType {
        /// The member (a name the reader asked for, never server text).
        key: &'static str,
        /// `string`, `integer`, `object`, `array`, `boolean`.
        expected: &'static str,
    },
    /// A required member is missing.
    #[error("'{0}' is missing")]
    Missing(&'static str),
}

/// A JSON value read strictly: objects have unique keys.
#[derive(Debug, Clone, PartialEq)]
pub enum StrictValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number (unsigned above `i64::MAX`, fractions, exponents).
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<StrictValue>),
    /// An object (keys unique).
    Object(BTreeMap<String, StrictValue>),
}

impl StrictValue {
    /// Parses exactly one JSON document from `bytes` under the limits above.
    pub fn parse(bytes: &[u8]) -> Result<Self, JsonError> {
        if bytes.len() > MAX_BYTES {
            return Err(JsonError::TooLarge);
        }
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            return Err(JsonError::ByteOrderMark);
        }
        let state = State::default();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let syntax = |e: serde_json::Error| JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        };
        let parsed = Seed {
            depth: 1,
            state: &state,
        }
        .deserialize(&mut de);
        if let Some(e) = state.failure.borrow_mut().take() {
            return Err(e);
        }
        let value = parsed.map_err(syntax)?;
        de.end().map_err(syntax)?;
        Ok(value)
    }

    /// Parses a document whose top level must be an object.
    pub fn parse_object(bytes: &[u8]) -> Result<Self, JsonError> {
        let v = Self::parse(bytes)?;
        match v {
            StrictValue::Object(_) => Ok(v),
            _ => Err(JsonError::NotObject("the answer")),
        }
    }

    /// The member `key` of an object (`None` for a missing key or a non-object).
    pub fn get(&self, key: &str) -> Option<&StrictValue> {
        match self {
            StrictValue::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// A string member that must be there.
    pub fn str_field(&self, key: &'static str) -> Result<&str, JsonError> {
        self.opt_str(key)?.ok_or(JsonError::Missing(key))
    }

    /// A string member that may be missing (or `null`); any other type is refused.
    pub fn opt_str(&self, key: &'static str) -> Result<Option<&str>, JsonError> {
        match self.get(key) {
            None | Some(StrictValue::Null) => Ok(None),
            Some(StrictValue::String(s)) => Ok(Some(s)),
            Some(_) => Err(JsonError::WrongType {
                key,
                expected: "string",
            }),
        }
    }

    /// An integer member that must be there (a fraction or a string is refused).
    pub fn i64_field(&self, key: &'static str) -> Result<i64, JsonError> {
        match self.get(key) {
            None => Err(JsonError::Missing(key)),
            Some(StrictValue::Int(i)) => Ok(*i),
            Some(_) => Err(JsonError::WrongType {
                key,
                expected: "integer",
            }),
        }
    }

    /// An object member that must be there.
    pub fn object_field(&self, key: &'static str) -> Result<&StrictValue, JsonError> {
        match self.get(key) {
            None => Err(JsonError::Missing(key)),
            Some(v @ StrictValue::Object(_)) => Ok(v),
            Some(_) => Err(JsonError::WrongType {
                key,
                expected: "object",
            }),
        }
    }

    /// An array member that may be missing (or `null`); any other type is refused.
    pub fn opt_array(&self, key: &'static str) -> Result<&[StrictValue], JsonError> {
        match self.get(key) {
            None | Some(StrictValue::Null) => Ok(&[]),
            Some(StrictValue::Array(a)) => Ok(a),
            Some(_) => Err(JsonError::WrongType {
                key,
                expected: "array",
            }),
        }
    }

    /// The value as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            StrictValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Shared by every level of one parse: the value budget, and the first refusal (kept
/// typed; serde's error only carries text).
#[derive(Default)]
struct State {
    nodes: Cell<usize>,
    failure: RefCell<Option<JsonError>>,
}

impl State {
    fn refuse<E: de::Error>(&self, e: JsonError) -> E {
        let text = e.to_string();
        self.failure.borrow_mut().get_or_insert(e);
        E::custom(text)
    }

    fn count<E: de::Error>(&self) -> Result<(), E> {
        let n = self.nodes.get() + 1;
        self.nodes.set(n);
        if n > MAX_NODES {
            return Err(self.refuse(JsonError::TooManyValues));
        }
        Ok(())
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<String, E> {
        if s.len() > MAX_STRING_BYTES {
            return Err(self.refuse(JsonError::StringTooLong));
        }
        Ok(s.to_owned())
    }
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    depth: usize,
    state: &'a State,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = StrictValue;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<StrictValue, D::Error> {
        d.deserialize_any(self)
    }
}

/// A key, counted and bounded like a string.
struct KeySeed<'a>(&'a State);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.0.count()?;
        self.0.string(v)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<StrictValue, E> {
        self.state.count()?;
        Ok(StrictValue::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<StrictValue, E> {
        self.state.count()?;
        Ok(StrictValue::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrictValue, E> {
        self.state.count()?;
        Ok(StrictValue::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrictValue, E> {
        self.state.count()?;
        Ok(match i64::try_from(v) {
            Ok(i) => StrictValue::Int(i),
            Err(_) => StrictValue::Float(v as f64),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrictValue, E> {
        self.state.count()?;
        Ok(StrictValue::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StrictValue, E> {
        self.state.count()?;
        self.state.string(v).map(StrictValue::String)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        self.state.count()?;
        if self.depth > MAX_DEPTH {
            return Err(self.state.refuse(JsonError::TooDeep));
        }
        let inner = Seed {
            depth: self.depth + 1,
            state: self.state,
        };
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(StrictValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        self.state.count()?;
        if self.depth > MAX_DEPTH {
            return Err(self.state.refuse(JsonError::TooDeep));
        }
        let inner = Seed {
            depth: self.depth + 1,
            state: self.state,
        };
        let mut members = BTreeMap::new();
        while let Some(key) = map.next_key_seed(KeySeed(self.state))? {
            if members.contains_key(&key) {
                return Err(self.state.refuse(JsonError::DuplicateKey));
            }
            let value = map.next_value_seed(inner)?;
            members.insert(key, value);
        }
        Ok(StrictValue::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> JsonError {
        StrictValue::parse(text.as_bytes()).unwrap_err()
    }

    #[test]
    fn a_plain_document_reads() {
        let v = StrictValue::parse_object(
            br#" {"stat":"OK","response":{"result":"allow","n":3,"f":1.5,"a":[1,null,true]}} "#,
        )
        .unwrap();
        assert_eq!(v.str_field("stat"), Ok("OK"));
        let r = v.object_field("response").unwrap();
        assert_eq!(r.str_field("result"), Ok("allow"));
        assert_eq!(r.i64_field("n"), Ok(3));
        assert!(r.i64_field("f").is_err());
        assert_eq!(r.opt_array("a").unwrap().len(), 3);
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth_and_in_any_spelling() {
        for text in [
            r#"{"a":1,"a":1}"#,
            r#"{"x":{"y":[{"k":1,"k":2}]}}"#,
            r#"{"result":"deny","res\u0075lt":"allow"}"#,
            r#"{"\u0072esult":"deny","result":"allow"}"#,
            r#"{"s\/":"deny","s/":"allow"}"#,
        ] {
            assert_eq!(err(text), JsonError::DuplicateKey, "{text}");
        }
        // Keys that differ only in case or Unicode form are different keys (Duo's are ASCII).
        StrictValue::parse(br#"{"result":"deny","Result":"allow"}"#).unwrap();
    }

    #[test]
    fn one_document_only() {
        for text in [
            r#"{"a":1}{"a":2}"#,
            r#"{"a":1} x"#,
            r#"{"a":1},"#,
            "{\"a\":1}\u{0}",
            r#"{"a":1"#,
            "",
            "   ",
        ] {
            assert!(
                matches!(err(text), JsonError::Syntax { .. }),
                "{text:?}: {:?}",
                err(text)
            );
        }
        StrictValue::parse(b"{\"a\":1}\r\n\t ").unwrap();
    }

    #[test]
    fn byte_order_marks_and_bad_text_are_refused() {
        assert_eq!(
            StrictValue::parse(b"\xEF\xBB\xBF{}").unwrap_err(),
            JsonError::ByteOrderMark
        );
        assert!(StrictValue::parse(b"{\"a\":\"\xff\"}").is_err());
        assert!(StrictValue::parse(br#"{"a":"\ud800"}"#).is_err());
        assert!(StrictValue::parse(b"{'a':1}").is_err());
        assert!(StrictValue::parse(b"{\"a\":1,}").is_err());
        assert!(StrictValue::parse(b"{\"a\":\"x\ny\"}").is_err());
    }

    #[test]
    fn limits_hold() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&deep), JsonError::TooDeep);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        StrictValue::parse(ok.as_bytes()).unwrap();
        let objects = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert_eq!(err(&objects), JsonError::TooDeep);
        let very_deep = "[".repeat(100_000);
        assert!(StrictValue::parse(very_deep.as_bytes()).is_err());
        let many = format!("[{}0]", "0,".repeat(MAX_NODES));
        assert_eq!(err(&many), JsonError::TooManyValues);
        let long = format!("\"{}\"", "x".repeat(MAX_STRING_BYTES + 1));
        assert_eq!(err(&long), JsonError::StringTooLong);
        let long_key = format!("{{\"{}\":1}}", "k".repeat(MAX_STRING_BYTES + 1));
        assert_eq!(err(&long_key), JsonError::StringTooLong);
        let huge = vec![b' '; MAX_BYTES + 1];
        assert_eq!(StrictValue::parse(&huge).unwrap_err(), JsonError::TooLarge);
    }

    #[test]
    fn numbers_are_typed() {
        assert!(StrictValue::parse(b"1e400").is_err());
        assert!(StrictValue::parse(b"-1e400").is_err());
        let v = StrictValue::parse(
            br#"{"t":123456789012345678901234567890,"u":18446744073709551615,"s":"1","f":1.0}"#,
        )
        .unwrap();
        for key in ["t", "u", "s", "f"] {
            assert!(
                matches!(v.i64_field(key), Err(JsonError::WrongType { .. })),
                "{key}"
            );
        }
        assert!(StrictValue::parse(b"01").is_err());
        assert!(StrictValue::parse(b"NaN").is_err());
    }

    #[test]
    fn typed_accessors_refuse_the_wrong_type() {
        let v = StrictValue::parse(br#"{"n":1,"a":["allow"],"o":{},"b":true,"z":null}"#).unwrap();
        for key in ["n", "a", "o", "b"] {
            assert!(
                matches!(v.str_field(key), Err(JsonError::WrongType { .. })),
                "{key}"
            );
        }
        assert_eq!(v.opt_str("z"), Ok(None));
        assert_eq!(v.str_field("missing"), Err(JsonError::Missing("missing")));
        assert!(v.object_field("a").is_err());
        assert!(v.opt_array("o").is_err());
    }
}
