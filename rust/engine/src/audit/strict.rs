//! The strict reading of a chained audit line ([`super::chain::parse`]): one pass of
//! serde_json over the line, nothing kept but the chain members (`seq`, `prev`, `mac`,
//! `type`, `keyId`); every other value is checked and dropped. Like every reader here it
//! refuses a key twice in any object at any depth (compared after unescaping) and bounds the
//! depth; `tests/audit_strict.rs` checks it against the strict JSON reader of the protocol
//! crate over seeded mutations.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

const MAX_DEPTH: usize = 32;

/// A key (or string value), borrowed from the line when it has no escapes.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// A string or null.
struct OptText;

impl<'de> DeserializeSeed<'de> for OptText {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptText {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text.deserialize(d).map(Some)
    }
}

/// Keys seen in one object: a second one is refused.
fn remember<'de, E: de::Error>(keys: &mut Vec<Cow<'de, str>>, k: Cow<'de, str>) -> Result<(), E> {
    if keys.contains(&k) {
        return Err(E::custom(format!(
            "the key '{k}' appears twice in one object"
        )));
    }
    keys.push(k);
    Ok(())
}

/// Any value, checked and dropped.
#[derive(Clone, Copy)]
struct Check(usize);

impl<'de> DeserializeSeed<'de> for Check {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.0 > MAX_DEPTH {
            return Err(de::Error::custom("nested too deep"));
        }
        while seq.next_element_seed(Check(self.0 + 1))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.0 > MAX_DEPTH {
            return Err(de::Error::custom("nested too deep"));
        }
        let mut keys = Vec::new();
        while let Some(k) = map.next_key_seed(Text)? {
            remember(&mut keys, k)?;
            map.next_value_seed(Check(self.0 + 1))?;
        }
        Ok(())
    }
}

/// The top-level object: its chain members kept, everything else checked.
#[derive(Default)]
pub struct Members<'de> {
    pub seq: Option<u64>,
    pub prev: Option<Cow<'de, str>>,
    pub mac: Option<Cow<'de, str>>,
    pub kind: Option<Cow<'de, str>>,
    pub key_id: Option<Cow<'de, str>>,
}

/// Reads [`Members`].
pub struct Top;

impl<'de> Visitor<'de> for Top {
    type Value = Members<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut m = Members::default();
        let mut keys = Vec::new();
        while let Some(k) = map.next_key_seed(Text)? {
            match k.as_ref() {
                "seq" => {
                    let n = map.next_value::<u64>()?;
                    if i64::try_from(n).is_err() {
                        return Err(de::Error::custom("seq is too large"));
                    }
                    m.seq = Some(n);
                }
                // The chain's hashes are strings; the header's names may be null.
                "prev" => m.prev = Some(map.next_value_seed(Text)?),
                "mac" => m.mac = Some(map.next_value_seed(Text)?),
                "type" => m.kind = map.next_value_seed(OptText)?,
                "keyId" => m.key_id = map.next_value_seed(OptText)?,
                _ => map.next_value_seed(Check(2))?,
            }
            remember(&mut keys, k)?;
        }
        Ok(m)
    }
}
