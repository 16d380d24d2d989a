//! The chain format: which bytes are hashed and MACed, written once here and read by the
//! writer (to extend a file) and the verifier alike.
//!
//! A chained line is the record's JSON object with two members in front and, with an audit
//! key, one at the end, written exactly so (no white space):
//!
//! ```text
//! {"seq":<n>,"prev":"<64 hex>",<the record's members>}
//! {"seq":<n>,"prev":"<64 hex>",<the record's members>,"mac":"<64 hex>"}
//! ```
//!
//! - `seq`: 0 for the header record that starts a file, then 1, 2, ... (no gaps).
//! - `prev`: the SHA-256 (lower-case hex) of the previous line's bytes as written, without
//!   its newline; 64 zeros for the header.
//! - `mac`: HMAC-SHA256 (lower-case hex) with the audit key over the line's bytes without
//!   the `,"mac":"..."` member, that is `{"seq":...,"prev":"...",<members>}`; so it covers
//!   the record and the previous hash.
//!
//! Lines are UTF-8 JSON ended by `\n`, with no key twice at any depth. The record's own
//! members are whatever the record holds (new fields need no change here).

use ring::{digest, hmac};

/// The `prev` of a header record.
pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain format's version (`format` in the header record).
pub const FORMAT: u32 = 1;

/// Longest line the verifier reads (bytes, without the newline); the writer's lines are at
/// most the record's bound plus the chain members.
pub const MAX_CHAIN_LINE_BYTES: usize = 64 * 1024;

/// The text the key id is the MAC of.
const KEY_ID_LABEL: &[u8] = b"MfaApproval audit key id";

/// Where the chain stands: the last line's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    /// The last record's `seq`.
    pub seq: u64,
    /// The SHA-256 of the last line, hex.
    pub hash: String,
}

/// An audit key, ready to MAC (the bytes are held by ring's key, not copied elsewhere).
pub struct Key {
    key: hmac::Key,
    id: String,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("id", &self.id).finish()
    }
}

impl Key {
    /// A key from the secret's bytes.
    pub fn new(secret: &[u8]) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let id = hex(hmac::sign(&key, KEY_ID_LABEL).as_ref())[..16].to_string();
        Self { key, id }
    }

    /// A short public name of the key (16 hex digits of a MAC of a fixed text): the header
    /// names it, so a verifier can tell "another key" from "forged".
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The MAC of `bytes`, lower-case hex.
    pub fn mac(&self, bytes: &[u8]) -> String {
        hex(hmac::sign(&self.key, bytes).as_ref())
    }

    /// Whether `mac_hex` is the MAC of `bytes` (constant time).
    pub fn verify(&self, bytes: &[u8], mac_hex: &str) -> bool {
        match unhex(mac_hex) {
            Some(tag) => hmac::verify(&self.key, bytes, &tag).is_ok(),
            None => false,
        }
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// The SHA-256 of a line (without its newline), hex.
pub fn line_hash(line: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, line).as_ref())
}

/// The chained line for `record` (a JSON object on one line, no newline) after `tail`
/// (`None`: the record is a file's header, seq 0), without its newline.
pub fn chain(record: &str, tail: Option<&Tail>, key: Option<&Key>) -> String {
    debug_assert!(record.starts_with('{') && record.ends_with('}') && record.len() > 2);
    let members = &record[1..record.len() - 1];
    let (seq, prev) = match tail {
        Some(t) => (t.seq + 1, t.hash.as_str()),
        None => (0, ZERO_HASH),
    };
    let mut line = String::with_capacity(record.len() + 180);
    line.push_str("{\"seq\":");
    line.push_str(&seq.to_string());
    line.push_str(",\"prev\":\"");
    line.push_str(prev);
    line.push_str("\",");
    line.push_str(members);
    line.push('}');
    if let Some(key) = key {
        let mac = key.mac(line.as_bytes());
        line.pop();
        line.push_str(",\"mac\":\"");
        line.push_str(&mac);
        line.push_str("\"}");
    }
    line
}

/// The length of the `,"mac":"<64 hex>"` member at the end of a keyed line.
const MAC_MEMBER: usize = 8 + 64 + 1;

/// A chained line as read back: its chain members and the bytes its MAC covers.
#[derive(Debug)]
pub struct Parsed {
    /// `seq`.
    pub seq: u64,
    /// `prev`.
    pub prev: String,
    /// `mac`, when the line has one.
    pub mac: Option<String>,
    /// `type` (`header` for the record that starts a file).
    pub kind: Option<String>,
    /// The header's `keyId`.
    pub key_id: Option<String>,
}

impl Parsed {
    /// Whether the MAC verifies with `key` (false without a MAC).
    pub fn mac_verifies(&self, line: &[u8], key: &Key) -> bool {
        let Some(mac) = &self.mac else {
            return false;
        };
        // The MAC covers the line without `,"mac":"..."` (checked to be the last member).
        let mut covered = Vec::with_capacity(line.len());
        covered.extend_from_slice(&line[..line.len() - MAC_MEMBER - 1]);
        covered.push(b'}');
        key.verify(&covered, mac)
    }

    /// Whether this line is a header record.
    pub fn is_header(&self) -> bool {
        self.kind.as_deref() == Some("header")
    }
}

/// Reads one line (without its newline) as a chained record: one strict JSON object (no
/// key twice in any object at any depth, compared after unescaping; depth at most 32),
/// `seq` a whole number, `prev` 64 lower-case hex, and a `mac`, if any, of 64 lower-case
/// hex written as the last member. Says what is wrong otherwise. One pass, nothing kept but
/// the chain members (the verifier reads a million lines in seconds).
pub fn parse(line: &[u8]) -> Result<Parsed, String> {
    if line.len() > MAX_CHAIN_LINE_BYTES {
        return Err(format!(
            "the line is longer than {MAX_CHAIN_LINE_BYTES} bytes"
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let top = serde::Deserializer::deserialize_map(&mut de, super::strict::Top)
        .and_then(|t| de.end().map(|()| t))
        .map_err(|e| format!("the line is not one JSON object with unique keys ({e})"))?;
    let seq = top.seq.ok_or("the line has no sequence number (seq)")?;
    let prev = match top.prev {
        Some(p) if is_hash(&p) => p.into_owned(),
        _ => return Err("the line has no previous hash (prev)".into()),
    };
    let mac = match top.mac {
        None => None,
        Some(m) => {
            if !is_hash(&m) {
                return Err("the line's mac is not 64 hex digits".into());
            }
            let tail = line.len().checked_sub(MAC_MEMBER + 1).map(|at| &line[at..]);
            let expected = format!(",\"mac\":\"{m}\"}}");
            if tail != Some(expected.as_bytes()) {
                return Err("the line's mac is not its last member".into());
            }
            Some(m.into_owned())
        }
    };
    Ok(Parsed {
        seq,
        prev,
        mac,
        kind: top.kind.map(Cow::into_owned),
        key_id: top.key_id.map(Cow::into_owned),
    })
}

use std::borrow::Cow;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyed_line_verifies_and_any_changed_byte_does_not() {
        let key = Key::new(b"a key of enough length, for tests");
        let tail = Tail {
            seq: 4,
            hash: line_hash(b"previous"),
        };
        let line = chain(
            r#"{"status":"Approved","userName":"alice"}"#,
            Some(&tail),
            Some(&key),
        );
        assert!(line.starts_with(&format!(r#"{{"seq":5,"prev":"{}","status""#, tail.hash)));
        let p = parse(line.as_bytes()).unwrap();
        assert_eq!(p.seq, 5);
        assert!(p.mac_verifies(line.as_bytes(), &key));
        assert!(!p.mac_verifies(line.as_bytes(), &Key::new(b"another key of enough length")));
        let edited = line.replace("Approved", "Approvee");
        let p = parse(edited.as_bytes()).unwrap();
        assert!(!p.mac_verifies(edited.as_bytes(), &key));
    }

    #[test]
    fn the_mac_is_over_the_line_without_its_mac_member() {
        let key = Key::new(b"k");
        let line = chain(r#"{"a":1}"#, None, Some(&key));
        let unkeyed = chain(r#"{"a":1}"#, None, None);
        assert_eq!(
            unkeyed,
            format!(r#"{{"seq":0,"prev":"{ZERO_HASH}","a":1}}"#)
        );
        assert_eq!(
            line,
            format!(
                r#"{}{},"mac":"{}"}}"#,
                &unkeyed[..unkeyed.len() - 1],
                "",
                key.mac(unkeyed.as_bytes())
            )
        );
    }

    #[test]
    fn refuses_duplicates_a_misplaced_mac_and_bad_fields() {
        let h = "a".repeat(64);
        for bad in [
            format!(r#"{{"seq":1,"prev":"{h}","seq":2}}"#),
            format!(r#"{{"seq":1,"prev":"{h}","mac":"{h}","x":1}}"#),
            format!(r#"{{"seq":-1,"prev":"{h}"}}"#),
            format!(r#"{{"seq":1,"prev":"{}"}}"#, "A".repeat(64)),
            format!(r#"{{"seq":"1","prev":"{h}"}}"#),
            format!(r#"{{"seq":1,"prev":"{h}"}} {{}}"#),
            format!(r#"{{"seq":1,"prev":"{h}","mac":"{h}" }}"#),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
        parse(format!(r#"{{"seq":1,"prev":"{h}","mac":"{h}"}}"#).as_bytes()).unwrap();
    }
}
