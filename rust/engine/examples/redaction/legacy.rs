//! The redactor of the previous build (needles per spelling), kept only as the baseline of
//! the redaction benchmark. Not used by the engine.
#![allow(dead_code)]

use base64::Engine as _;
use zeroize::Zeroizing;

/// The most characters of server text that reach a message.
pub const MAX_SERVER_TEXT_CHARS: usize = 200;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// What replaces a whole text that still held a secret split by white space.
pub const WITHHELD: &str = "[server text withheld: it contained a secret]";

/// Spellings shorter than this (in characters) are matched as whole tokens only.
pub const MIN_SUBSTRING_CHARS: usize = 6;

/// One spelling of a secret.
struct Needle {
    text: Zeroizing<String>,
    /// Match only where it is a whole token (short spellings).
    token: bool,
}

/// The secrets to remove, longest first. Cheap to clone behind an `Arc`.
#[derive(Default)]
pub struct Redactor {
    needles: Vec<Needle>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("needles", &self.needles.len())
            .finish()
    }
}

/// Percent-encodes `s`, leaving ASCII alphanumerics and `keep` as they are; `plus`
/// writes a space as `+`; `lower` writes lower-case hex.
fn percent_encode(s: &str, keep: &[u8], plus: bool, lower: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else if plus && b == b' ' {
            out.push('+');
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The JSON string spellings of `s` (without the quotes).
fn json_escapes(s: &str) -> Vec<String> {
    let plain = serde_json::to_string(s).unwrap_or_default();
    let plain = plain[1..plain.len().saturating_sub(1).max(1)].to_string();
    let (mut ascii, mut upper) = (String::new(), String::new());
    for c in plain.chars() {
        if c.is_ascii() {
            ascii.push(c);
            upper.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{u:04x}"));
                upper.push_str(&format!("\\u{u:04X}"));
            }
        }
    }
    // serde_json's form, and PHP's (`\/` and `\u00e4`), in both hex cases.
    [plain, ascii, upper]
        .into_iter()
        .flat_map(|s| [s.replace('/', "\\/"), s])
        .collect()
}

/// Upper-cases the two hex digits after every `%` (so `%2f` and `%2F` read alike).
fn upper_percent_hex(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                match chars.peek() {
                    Some(h) if h.is_ascii_hexdigit() => {
                        out.push(h.to_ascii_uppercase());
                        chars.next();
                    }
                    _ => break,
                }
            }
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

impl Redactor {
    /// A redactor for `secrets` (passwords, keys); `basic_user` adds the HTTP Basic forms
    /// for the first secret (see [`Redactor::add_basic`]).
    pub fn new(basic_user: Option<&str>, secrets: &[&str]) -> Self {
        let mut r = Redactor::default();
        for (i, secret) in secrets.iter().enumerate() {
            match (i, basic_user) {
                (0, Some(user)) => r.add_basic(user, secret),
                _ => r.add_secret(secret),
            }
        }
        r
    }

    fn push(&mut self, spelling: &str) {
        let text = Zeroizing::new(upper_percent_hex(spelling));
        if text.is_empty() || self.needles.iter().any(|n| *n.text == *text) {
            return;
        }
        let token = text.chars().count() < MIN_SUBSTRING_CHARS;
        self.needles.push(Needle { text, token });
        self.needles
            .sort_by_key(|n| std::cmp::Reverse(n.text.len()));
    }

    /// Registers a secret in every spelling it can travel in (an empty one is ignored).
    pub fn add_secret(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let b64 = &base64::engine::general_purpose::STANDARD;
        let b64url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut spellings: Vec<Zeroizing<String>> = vec![
            Zeroizing::new(secret.to_string()),
            Zeroizing::new(quick_xml::escape::escape(secret).into_owned()),
            Zeroizing::new(b64.encode(secret.as_bytes())),
            Zeroizing::new(b64url.encode(secret.as_bytes())),
        ];
        spellings.extend(json_escapes(secret).into_iter().map(Zeroizing::new));
        for keep in [&b"-_.~"[..], &b"-_.~/"[..], &b"-_.~!'()*"[..], &b"-_.*"[..]] {
            for plus in [false, true] {
                // Hex case is normalised on both sides (upper_percent_hex).
                spellings.push(Zeroizing::new(percent_encode(secret, keep, plus, false)));
            }
        }
        let folded = secret.split_whitespace().collect::<Vec<_>>().join(" ");
        spellings.push(Zeroizing::new(folded));
        for s in &spellings {
            self.push(s);
        }
    }

    /// Registers an HTTP Basic credential: the password in every spelling, and
    /// `user:password`, its base64 (padded and not) and `Basic <base64>`.
    pub fn add_basic(&mut self, user: &str, password: &str) {
        self.add_secret(password);
        if password.is_empty() {
            return;
        }
        let b64 = &base64::engine::general_purpose::STANDARD;
        let pair = Zeroizing::new(format!("{user}:{password}"));
        let encoded = Zeroizing::new(b64.encode(pair.as_bytes()));
        self.push(&format!("Basic {}", encoded.as_str()));
        self.push(encoded.trim_end_matches('='));
        self.push(&encoded);
        self.add_secret(&pair);
    }

    /// Replaces every secret in `text` (our own messages and server text alike).
    pub fn scrub(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_string();
        }
        let mut out = upper_percent_hex(text);
        for needle in &self.needles {
            out = replace(&out, needle);
        }
        out
    }

    /// Server text made fit for a message: invisible characters removed, secrets removed,
    /// control characters and white space folded to one space (and scanned again), at most
    /// [`MAX_SERVER_TEXT_CHARS`] characters.
    pub fn server_text(&self, raw: &str) -> String {
        self.server_text_within(raw, MAX_SERVER_TEXT_CHARS)
    }

    /// [`Redactor::server_text`] with another bound (error chains that name a URL).
    pub fn server_text_within(&self, raw: &str, max_chars: usize) -> String {
        // Scrub first (a secret that contains an invisible character), then without the
        // invisible characters, then with white space folded.
        let visible: String = self
            .scrub(raw)
            .chars()
            .filter(|c| !is_invisible(*c))
            .collect();
        let clean: String = self
            .scrub(&visible)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let folded = clean.split_whitespace().collect::<Vec<_>>().join(" ");
        let folded = self.scrub(&folded);
        if self.squeezed_holds_a_secret(&folded) {
            return WITHHELD.to_string();
        }
        bound(&folded, max_chars)
    }

    /// A long secret is still there once all white space is taken out (split by spaces or
    /// line breaks to get past the scan).
    fn squeezed_holds_a_secret(&self, text: &str) -> bool {
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let squeezed = Zeroizing::new(squeeze(text));
        self.needles.iter().filter(|n| !n.token).any(|n| {
            let needle = Zeroizing::new(squeeze(&n.text));
            needle.chars().count() >= MIN_SUBSTRING_CHARS && squeezed.contains(needle.as_str())
        })
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

/// `text` with `needle` replaced (a token needle only where no letter or digit touches it).
fn replace(text: &str, needle: &Needle) -> String {
    let n = needle.text.as_str();
    if !text.contains(n) {
        return text.to_string();
    }
    if !needle.token {
        return text.replace(n, REDACTED);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in text.match_indices(n) {
        if at < rest {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + n.len()..].chars().next();
        let edge_ok = |c: Option<char>, inner: Option<char>| {
            // A boundary only matters where the needle itself starts or ends with a letter
            // or digit.
            !(c.is_some_and(is_word) && inner.is_some_and(is_word))
        };
        if edge_ok(before, n.chars().next()) && edge_ok(after, n.chars().next_back()) {
            out.push_str(&text[rest..at]);
            out.push_str(REDACTED);
            rest = at + n.len();
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// Zero-width, bidirectional and other invisible format characters: removed before a scan
/// (they could hide a secret from it, or reorder text in a log).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// At most `max` characters, with `…` when cut (one definition, in the protocol crate).
use mfa_protocol::text::bound;
