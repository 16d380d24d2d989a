//! Server text on its way into a message: redacted of every secret the engine knows, then
//! stripped of control and invisible characters, then bounded — in that order, so no cut
//! ever leaves a piece of a secret that nothing matches any more.
//!
//! A hostile or merely careless server (or proxy) may echo what it received: request
//! headers in an error page, the credential in a faultstring, a query string, a key in
//! hex. Redaction is by construction: instead of a list of spellings per secret, the text
//! is decoded into views (`views.rs`), each byte of a view mapped back to the bytes of the
//! text it came from, and every secret is searched in every view:
//!
//! - the canonical view: the text without control characters (NUL included), white space
//!   and invisible format characters, so a secret split by any of them, or UTF-16 shown as
//!   text (`S\0e\0c…`), still reads as the secret;
//! - the unescaped view (twice, for double encodings): percent (`%2F`, either hex case),
//!   JSON (`\u00e4`, `\/`, surrogate pairs), C (`\x41`, `\0`) and XML/HTML (`&amp;`,
//!   `&#228;`, `&#xE4;`) escapes decoded; a form's `+` for a space is a spelling of its own;
//! - in both, every run of hex (either case, with `:`, `-`, `.`, `,`, `_` or `0x` between
//!   the digits, or nothing), base64 and base64url (with or without padding) and base32
//!   symbols, decoded at every alignment (a secret at any offset of an encoded stream),
//!   searched for the secret's UTF-8, UTF-16LE and UTF-16BE bytes (and a PEM key's DER);
//! - the text read back as Latin-1 bytes (one byte per character up to U+00FF): UTF-16 or
//!   UTF-8 bytes shown as text one byte per character (`S\0e\0c`, `©\x03`, `Ã¤`), searched
//!   for the same bytes;
//! - raw bytes (a RADIUS Reply-Message, a body that is not UTF-8): searched for the same
//!   bytes before they are decoded as text.
//!
//! A match is replaced, in the original text, by `[redacted]` (the whole range its bytes
//! came from). A text longer than [`MAX_SCAN_BYTES`] is cut to that length first, and a
//! secret the cut split is still found: a view that ends with the first 6 or more bytes of
//! a secret loses them too. Each HTTP Basic credential adds `user:password` (so the
//! `Basic …` header's base64 decodes to a secret).
//!
//! Short secrets: a secret shorter than [`MIN_SUBSTRING_CHARS`] characters is removed only
//! where it stands as a whole token (not inside a longer word or number), as is or escaped,
//! and its hex or base64 forms are not searched (they would match everywhere): the password
//! `p` never turns `https://` into `htt[redacted]s://`. Such a secret is weak anyway; the
//! threat model in README says so.

mod views;

use views::{Alphabet, View};
use zeroize::Zeroizing;

/// The most characters of server text that reach a message.
pub const MAX_SERVER_TEXT_CHARS: usize = 200;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this (in characters) are matched as whole tokens only.
pub const MIN_SUBSTRING_CHARS: usize = 6;

/// The most bytes of one server text that are scanned; a longer text is cut to this
/// first (a secret the cut split is redacted too).
pub const MAX_SCAN_BYTES: usize = 64 * 1024;

/// One form of a secret to search for.
struct Needle {
    bytes: Zeroizing<Vec<u8>>,
    /// Match only where it is a whole token (short secrets).
    token: bool,
}

/// The secrets to remove. Cheap to share behind an `Arc`.
#[derive(Default)]
pub struct Redactor {
    /// Searched in the text views: each secret without what a scan ignores, and with `+`
    /// for its spaces.
    text: Vec<Needle>,
    /// Searched in the decoded views and raw bytes: each long secret's UTF-8, UTF-16LE and
    /// UTF-16BE bytes, and a PEM key's DER.
    bytes: Vec<Needle>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("needles", &(self.text.len() + self.bytes.len()))
            .finish()
    }
}

fn push(list: &mut Vec<Needle>, bytes: &[u8], token: bool) {
    if bytes.is_empty() || list.iter().any(|n| n.bytes.as_slice() == bytes) {
        return;
    }
    list.push(Needle {
        bytes: Zeroizing::new(bytes.to_vec()),
        token,
    });
}

/// `s` without what a scan ignores.
fn canonical(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.chars().filter(|c| !views::is_ignorable(*c)).collect())
}

/// The DER inside a PEM block (its base64 lines decoded), when `s` is one.
fn pem_der(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    use base64::Engine as _;
    if !s.contains("-----BEGIN") {
        return None;
    }
    let body: Zeroizing<String> = Zeroizing::new(
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----") && !l.contains(':'))
            .collect(),
    );
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .ok()
        .map(Zeroizing::new)
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

    /// Whether no secret is registered.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Registers a secret (an empty one is ignored): its every spelling is found by
    /// decoding the text, not by listing spellings.
    pub fn add_secret(&mut self, secret: &str) {
        let canon = canonical(secret);
        if canon.is_empty() {
            return;
        }
        let token = canon.chars().count() < MIN_SUBSTRING_CHARS;
        push(&mut self.text, canon.as_bytes(), token);
        if secret.chars().any(char::is_whitespace) {
            // A form's spelling: `+` for a space (decoded views keep `+` as it is).
            let mut plus = Zeroizing::new(String::with_capacity(secret.len()));
            for (i, part) in secret.split_whitespace().enumerate() {
                if i > 0 {
                    plus.push('+');
                }
                plus.push_str(part);
            }
            push(&mut self.text, canonical(&plus).as_bytes(), token);
        }
        // A secret that itself holds something an escape could be (`%3f`, `&amp;`, `\n`)
        // reads differently in the unescaped views of a text that escapes it otherwise
        // (JSON: `\"…%3f`): those readings are spellings too.
        let mut level = views::canonical(secret);
        for _ in 0..2 {
            match views::unescape(&level) {
                Some(u) => {
                    push(&mut self.text, &u.bytes, token);
                    level = u;
                }
                None => break,
            }
        }
        if token {
            return;
        }
        push(&mut self.bytes, secret.as_bytes(), false);
        for big_endian in [false, true] {
            let mut units = Zeroizing::new(Vec::with_capacity(secret.len() * 2));
            for u in secret.encode_utf16() {
                let pair = if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                };
                units.extend_from_slice(&pair);
            }
            push(&mut self.bytes, &units, false);
        }
        if let Some(der) = pem_der(secret).filter(|d| d.len() >= MIN_SUBSTRING_CHARS) {
            push(&mut self.bytes, &der, false);
        }
    }

    /// Registers an HTTP Basic credential: the password, and `user:password` (whose base64
    /// is the header's value).
    pub fn add_basic(&mut self, user: &str, password: &str) {
        self.add_secret(password);
        if password.is_empty() {
            return;
        }
        let pair = Zeroizing::new(format!("{user}:{password}"));
        self.add_secret(&pair);
    }

    /// Replaces every secret in `text` (our own messages and server text alike); nothing
    /// else changes.
    pub fn scrub(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_string();
        }
        replace(text, self.spans(text, false))
    }

    /// Server text made fit for a message: secrets removed, invisible characters removed,
    /// control characters and white space folded to one space, then at most
    /// [`MAX_SERVER_TEXT_CHARS`] characters.
    pub fn server_text(&self, raw: &str) -> String {
        self.server_text_within(raw, MAX_SERVER_TEXT_CHARS)
    }

    /// [`Redactor::server_text`] with another bound.
    pub fn server_text_within(&self, raw: &str, max_chars: usize) -> String {
        let (scan, cut) = cap_text(raw);
        let redacted = Zeroizing::new(if self.is_empty() {
            scan.to_string()
        } else {
            replace(scan, self.spans(scan, cut))
        });
        bound(&fold(&redacted), max_chars)
    }

    /// [`Redactor::server_text_within`] for raw bytes (a RADIUS Reply-Message, a body that
    /// may not be UTF-8): secrets in the bytes (UTF-16 included) are removed before they
    /// are decoded as text (lossily), then the text is treated like any server text.
    pub fn server_bytes_within(&self, raw: &[u8], max_chars: usize) -> String {
        bound(&fold(&self.redact_bytes(raw)), max_chars)
    }

    /// Raw bytes as text (lossily decoded), redacted and cut to [`MAX_SCAN_BYTES`], but not
    /// yet folded or bounded (for a caller that looks for something in it first).
    pub fn redact_bytes(&self, raw: &[u8]) -> Zeroizing<String> {
        let cut = raw.len() > MAX_SCAN_BYTES;
        let scan = &raw[..raw.len().min(MAX_SCAN_BYTES)];
        let mut spans = Vec::new();
        for n in &self.bytes {
            for at in memchr::memmem::find_iter(scan, n.bytes.as_slice()) {
                spans.push((at, at + n.bytes.len()));
            }
            if cut {
                if let Some(k) = partial_at_end(scan, &n.bytes) {
                    spans.push((scan.len() - k, scan.len()));
                }
            }
        }
        let bytes = Zeroizing::new(replace_bytes(scan, spans));
        let text = Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned());
        if self.is_empty() {
            return text;
        }
        Zeroizing::new(replace(&text, self.spans(&text, cut)))
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

    /// The ranges of `text` that hold a secret in any view; with `cut`, also a secret's
    /// first bytes at the very end (the text was cut there).
    fn spans<'a>(&'a self, text: &str, cut: bool) -> Vec<(usize, usize)> {
        // Searchers built once per text, borrowing the needles (no copy of a secret): a
        // short text is searched from each needle's first byte (nothing to build), a long
        // one with memchr's substring searcher.
        let long = text.len() > 4096;
        let finder = |n: &'a Needle| Search::new(&n.bytes, long);
        let finders = Finders {
            text: self.text.iter().map(finder).collect(),
            bytes: self.bytes.iter().map(finder).collect(),
        };
        let mut found = Vec::new();
        if let Some(bytes) = views::latin1(text) {
            for (n, finder) in self.bytes.iter().zip(&finders.bytes) {
                finder.each(&bytes.bytes, |at| {
                    found.push(bytes.span(at, at + n.bytes.len()));
                });
                if cut {
                    if let Some(k) = partial_at_end(&bytes.bytes, &n.bytes) {
                        found.push(bytes.span(bytes.len() - k, bytes.len()));
                    }
                }
            }
        }
        let mut view = views::canonical(text);
        self.search(&finders, &view, text, cut, &mut found);
        for _ in 0..2 {
            match views::unescape(&view) {
                Some(u) => {
                    self.search(&finders, &u, text, cut, &mut found);
                    view = u;
                }
                None => break,
            }
        }
        found
    }

    /// Searches one text view and the encoded runs inside it.
    fn search(
        &self,
        finders: &Finders<'_>,
        v: &View,
        text: &str,
        cut: bool,
        found: &mut Vec<(usize, usize)>,
    ) {
        for (n, finder) in self.text.iter().zip(&finders.text) {
            finder.each(&v.bytes, |at| {
                let span = v.span(at, at + n.bytes.len());
                if !n.token || whole_token(text, span, &n.bytes) {
                    found.push(span);
                }
            });
            if cut && !n.token {
                if let Some(k) = partial_at_end(&v.bytes, &n.bytes) {
                    found.push(v.span(v.len() - k, v.len()));
                }
            }
        }
        let Some(shortest) = self.bytes.iter().map(|n| n.bytes.len()).min() else {
            return;
        };
        let mut decoded = View::default();
        for alphabet in Alphabet::ALL {
            // A run too short to hold a secret (or, at a cut, its first bytes) is skipped.
            let min = alphabet.symbols_for(if cut { MIN_SUBSTRING_CHARS } else { shortest });
            views::runs(v, alphabet, min, |run| {
                for alignment in views::alignments(alphabet) {
                    views::decode(run, alphabet, alignment, &mut decoded);
                    for (n, finder) in self.bytes.iter().zip(&finders.bytes) {
                        if decoded.len() >= n.bytes.len() {
                            finder.each(&decoded.bytes, |at| {
                                found.push(decoded.span(at, at + n.bytes.len()));
                            });
                        }
                        if cut && run.at_end {
                            if let Some(k) = partial_at_end(&decoded.bytes, &n.bytes) {
                                found.push(decoded.span(decoded.len() - k, decoded.len()));
                            }
                        }
                    }
                }
            });
        }
    }
}

/// The searchers of one scan, one per needle.
struct Finders<'a> {
    text: Vec<Search<'a>>,
    bytes: Vec<Search<'a>>,
}

/// Finds every occurrence of one needle.
enum Search<'a> {
    /// Candidates from the needle's first byte (`memchr`), then a comparison.
    FirstByte(&'a [u8]),
    /// memchr's substring searcher (worth building for a long text).
    Finder(Box<memchr::memmem::Finder<'a>>),
}

impl<'a> Search<'a> {
    fn new(needle: &'a [u8], long: bool) -> Self {
        if long {
            Search::Finder(Box::new(memchr::memmem::Finder::new(needle)))
        } else {
            Search::FirstByte(needle)
        }
    }

    /// Calls `f` with the start of every occurrence in `hay`.
    fn each(&self, hay: &[u8], mut f: impl FnMut(usize)) {
        match self {
            Search::Finder(finder) => finder.find_iter(hay).for_each(f),
            Search::FirstByte(n) => {
                let last = (hay.len() + 1).saturating_sub(n.len());
                for at in memchr::memchr_iter(n[0], &hay[..last]) {
                    if hay[at..at + n.len()] == **n {
                        f(at);
                    }
                }
            }
        }
    }
}

/// The longest `k` (at least [`MIN_SUBSTRING_CHARS`], less than the needle) such that
/// `hay` ends with the needle's first `k` bytes.
fn partial_at_end(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (Some(&first), true) = (needle.first(), needle.len() > MIN_SUBSTRING_CHARS) else {
        return None;
    };
    let from = hay.len().saturating_sub(needle.len() - 1);
    memchr::memchr_iter(first, &hay[from..])
        .map(|i| hay.len() - (from + i))
        .find(|&k| k >= MIN_SUBSTRING_CHARS && hay[hay.len() - k..] == needle[..k])
}

/// Whether the match at `span` of a short secret stands as a whole token in `text`: no
/// letter or digit touches it where the secret itself starts or ends with one.
fn whole_token(text: &str, (start, end): (usize, usize), needle: &[u8]) -> bool {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let inner = String::from_utf8_lossy(needle);
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let glued_before = word(before) && word(inner.chars().next());
    let glued_after = word(after) && word(inner.chars().next_back());
    !glued_before && !glued_after
}

/// Merges overlapping ranges, in order.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// `text` with every range in `spans` (on character boundaries) replaced by [`REDACTED`].
fn replace(text: &str, spans: Vec<(usize, usize)>) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (s, e) in merge(spans) {
        out.push_str(&text[rest..s]);
        out.push_str(REDACTED);
        rest = e;
    }
    out.push_str(&text[rest..]);
    out
}

/// [`replace`] for bytes.
fn replace_bytes(bytes: &[u8], spans: Vec<(usize, usize)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = 0;
    for (s, e) in merge(spans) {
        out.extend_from_slice(&bytes[rest..s]);
        out.extend_from_slice(REDACTED.as_bytes());
        rest = e;
    }
    out.extend_from_slice(&bytes[rest..]);
    out
}

/// At most [`MAX_SCAN_BYTES`] of `raw` (on a character boundary), and whether it was cut.
fn cap_text(raw: &str) -> (&str, bool) {
    if raw.len() <= MAX_SCAN_BYTES {
        return (raw, false);
    }
    let mut at = MAX_SCAN_BYTES;
    while !raw.is_char_boundary(at) {
        at -= 1;
    }
    (&raw[..at], true)
}

/// Invisible format characters removed, control characters and runs of white space
/// folded to one space (after redaction: they can no longer split a secret).
fn fold(text: &str) -> String {
    let visible: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !views::is_invisible(*c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    );
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, with `…` when cut (one definition, in the protocol crate).
pub use mfa_protocol::text::bound;

#[cfg(test)]
mod tests;
