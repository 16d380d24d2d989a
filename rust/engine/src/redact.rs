//! Server text on its way into a message: bounded, stripped of control and invisible
//! characters, and redacted of every secret the engine knows.
//!
//! A hostile or merely careless server may echo what it received (request headers in an
//! error page, the credential in a faultstring). The engine knows its secrets, so it
//! removes them — the password in its common spellings, `user:password`, its base64 and
//! the whole `Authorization` value — before any text reaches an outcome, an error or a log.

use base64::Engine as _;
use zeroize::Zeroizing;

/// The most characters of server text that reach a message.
pub const MAX_SERVER_TEXT_CHARS: usize = 200;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The secrets to remove, longest first. Cheap to clone behind an `Arc`.
#[derive(Default)]
pub struct Redactor {
    needles: Vec<Zeroizing<String>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("needles", &self.needles.len())
            .finish()
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Redactor {
    /// A redactor for `secrets` (passwords, keys); `basic_user` adds the HTTP Basic forms
    /// (`user:password`, its base64, `Basic <base64>`) for the first secret.
    pub fn new(basic_user: Option<&str>, secrets: &[&str]) -> Self {
        let mut needles: Vec<Zeroizing<String>> = Vec::new();
        let b64 = &base64::engine::general_purpose::STANDARD;
        for (i, secret) in secrets.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
            needles.push(Zeroizing::new(secret.to_string()));
            needles.push(Zeroizing::new(
                quick_xml::escape::escape(*secret).into_owned(),
            ));
            needles.push(Zeroizing::new(percent_encode(secret)));
            needles.push(Zeroizing::new(b64.encode(secret.as_bytes())));
            if let (0, Some(user)) = (i, basic_user) {
                let pair = Zeroizing::new(format!("{user}:{secret}"));
                let encoded = Zeroizing::new(b64.encode(pair.as_bytes()));
                needles.push(Zeroizing::new(encoded.trim_end_matches('=').to_string()));
                needles.push(encoded);
                needles.push(pair);
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup_by(|a, b| a.as_str() == b.as_str());
        Redactor { needles }
    }

    /// Replaces every secret in `text` (our own messages and server text alike).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        out
    }

    /// Server text made fit for a message: secrets removed, control and invisible
    /// characters replaced by spaces (never deleted, which could join a secret back
    /// together), white space folded, at most [`MAX_SERVER_TEXT_CHARS`] characters.
    pub fn server_text(&self, raw: &str) -> String {
        self.server_text_within(raw, MAX_SERVER_TEXT_CHARS)
    }

    /// [`Redactor::server_text`] with another bound (error chains that name a URL).
    pub fn server_text_within(&self, raw: &str, max_chars: usize) -> String {
        let clean: String = self
            .scrub(raw)
            .chars()
            .map(|c| if is_hidden(c) { ' ' } else { c })
            .collect();
        let folded = clean.split_whitespace().collect::<Vec<_>>().join(" ");
        let folded = self.scrub(&folded);
        bound(&folded, max_chars)
    }

    /// Scrubs every string inside a JSON value (query data from the server).
    pub fn server_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.server_text(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.server_json(v)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| self.server_json(v)),
            _ => {}
        }
    }
}

/// Control characters, and invisible format characters that could hide or reorder text
/// in a log (zero-width, bidirectional overrides, soft hyphen, BOM).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// At most `max` characters, with `…` when cut (one definition, in the protocol crate).
pub use mfa_protocol::text::bound;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_the_credential_is_removed() {
        let r = Redactor::new(Some("svc"), &["p&ss w:rd"]);
        let b64 = base64::engine::general_purpose::STANDARD.encode("svc:p&ss w:rd");
        let echo = format!(
            "Authorization: Basic {b64}\r\npw=p%26ss%20w%3Ard raw=p&ss w:rd xml=p&amp;ss w:rd pair=svc:p&ss w:rd"
        );
        let out = r.server_text(&echo);
        for leaked in ["p&ss", "p%26ss", "p&amp;ss", &b64[..20]] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(out.contains(REDACTED));
    }

    #[test]
    fn hidden_characters_never_join_a_secret_back_together() {
        let r = Redactor::new(None, &["hunter2"]);
        for trick in [
            "hunt\u{0}er2",
            "hunt\u{200B}er2",
            "hun\u{202E}ter2",
            "hunter\n2",
        ] {
            let out = r.server_text(trick);
            assert!(!out.contains("hunter2"), "{out}");
            assert!(!out.chars().any(is_hidden), "{out:?}");
        }
        assert_eq!(r.server_text("x hunter2 y"), "x [redacted] y");
    }

    #[test]
    fn text_is_bounded() {
        let r = Redactor::new(None, &[]);
        let out = r.server_text(&"é".repeat(10_000));
        assert_eq!(out.chars().count(), MAX_SERVER_TEXT_CHARS + 1);
        assert!(out.ends_with('…'));
    }
}
