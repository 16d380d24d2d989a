//! Decoded views of a text, each byte mapped back to the bytes of the original text it came
//! from: the canonical view (control, white-space and invisible characters dropped), the
//! unescaped view (percent, JSON, XML/HTML and C escapes decoded), and the runs of hex,
//! base64/base64url and base32 symbols decoded at every alignment. The redactor searches a
//! secret in each view and redacts the original bytes a match maps back to.

use zeroize::Zeroizing;

/// A byte stream and, for each byte, the range of the original text it came from.
#[derive(Default)]
pub(super) struct View {
    pub(super) bytes: Zeroizing<Vec<u8>>,
    spans: Vec<(u32, u32)>,
}

impl View {
    fn push(&mut self, b: u8, span: (u32, u32)) {
        self.bytes.push(b);
        self.spans.push(span);
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The original range of the view's bytes `from..to` (not empty).
    pub(super) fn span(&self, from: usize, to: usize) -> (usize, usize) {
        let start = self.spans[from].0;
        let end = self.spans[from..to]
            .iter()
            .map(|s| s.1)
            .max()
            .unwrap_or(start);
        (start as usize, end as usize)
    }
}

/// Zero-width, bidirectional and other invisible format characters (they could hide a
/// secret from a scan, or reorder text in a log).
pub(super) fn is_invisible(c: char) -> bool {
    !c.is_ascii() && crate::approvers::is_format_char(c)
        || matches!(c,
            '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E007F}')
}

/// What a scan ignores between the characters of a secret: control characters (NUL
/// included, so UTF-16 shown as text reads as its letters), white space and invisible
/// format characters.
pub(super) fn is_ignorable(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() || c == ' ';
    }
    c.is_control() || c.is_whitespace() || is_invisible(c)
}

/// The text without what a scan ignores.
pub(super) fn canonical(text: &str) -> View {
    let mut v = View::default();
    v.bytes.reserve(text.len());
    v.spans.reserve(text.len());
    let mut utf8 = [0u8; 4];
    for (i, c) in text.char_indices() {
        if is_ignorable(c) {
            continue;
        }
        let span = (i as u32, (i + c.len_utf8()) as u32);
        for b in c.encode_utf8(&mut utf8).bytes() {
            v.push(b, span);
        }
    }
    v
}

/// The text read back as the bytes it would be in Latin-1 (each character up to U+00FF is
/// one byte; invisible characters are dropped, and so is any other character, which no
/// byte renders): bytes shown as text one byte per character, UTF-16 (`S\0e\0`, `©\x03`)
/// or UTF-8 (`Ã¤`) alike. `None` when the text has no character that makes it differ from
/// the canonical view (no control and no U+0080..U+00FF character).
pub(super) fn latin1(text: &str) -> Option<View> {
    if !text
        .chars()
        .any(|c| c.is_ascii_control() || ('\u{80}'..='\u{ff}').contains(&c))
    {
        return None;
    }
    let mut v = View::default();
    for (i, c) in text.char_indices() {
        if (c as u32) <= 0xFF && !is_invisible(c) {
            v.push(c as u32 as u8, (i as u32, (i + c.len_utf8()) as u32));
        }
    }
    Some(v)
}

/// The character at the start of `bytes`, when they start with one in UTF-8.
fn char_at(bytes: &[u8]) -> Option<(char, usize)> {
    let len = match bytes.first()? {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(bytes.get(..len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `n` hex digits at `at`, as a number.
fn hex_number(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let digits = bytes.get(at..at + n)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 16 + u32::from(hex_value(b)?)))
}

/// An escape at the start of `s`: what it stands for, and how many bytes it takes.
enum Escape {
    Byte(u8),
    Char(char),
    /// A UTF-16 code unit (`\uXXXX`), joined with a following low surrogate.
    Unit(u32),
}

fn escape_at(s: &[u8]) -> Option<(Escape, usize)> {
    match *s.first()? {
        b'%' => Some((Escape::Byte(hex_number(s, 1, 2)? as u8), 3)),
        b'\\' => match *s.get(1)? {
            b'u' => Some((Escape::Unit(hex_number(s, 2, 4)?), 6)),
            b'x' => Some((Escape::Byte(hex_number(s, 2, 2)? as u8), 4)),
            b'n' => Some((Escape::Char('\n'), 2)),
            b'r' => Some((Escape::Char('\r'), 2)),
            b't' => Some((Escape::Char('\t'), 2)),
            b'b' => Some((Escape::Char('\u{8}'), 2)),
            b'f' => Some((Escape::Char('\u{c}'), 2)),
            b'0' => Some((Escape::Char('\0'), 2)),
            c @ (b'"' | b'\\' | b'/' | b'\'') => Some((Escape::Char(c as char), 2)),
            _ => None,
        },
        b'&' => {
            let end = s.iter().take(12).position(|&b| b == b';')?;
            let name = &s[1..end];
            let c = match name {
                b"amp" => '&',
                b"lt" => '<',
                b"gt" => '>',
                b"quot" => '"',
                b"apos" => '\'',
                b"nbsp" => '\u{a0}',
                [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() => {
                    char::from_u32(hex_number(hex, 0, hex.len())?)?
                }
                [b'#', dec @ ..] if !dec.is_empty() && dec.iter().all(u8::is_ascii_digit) => {
                    char::from_u32(std::str::from_utf8(dec).ok()?.parse().ok()?)?
                }
                _ => return None,
            };
            Some((Escape::Char(c), end + 1))
        }
        _ => None,
    }
}

/// The view with its escapes decoded (percent `%HH`; JSON `\uXXXX` with surrogate pairs,
/// `\n`, `\/`…; C `\xHH`, `\0`; XML/HTML `&amp;`, `&#NN;`, `&#xHH;`), then what a scan
/// ignores dropped again. `None` when there was nothing to decode.
pub(super) fn unescape(v: &View) -> Option<View> {
    let b = &v.bytes;
    if !b.iter().any(|&x| matches!(x, b'%' | b'\\' | b'&')) {
        return None;
    }
    let mut out = View::default();
    let mut decoded = false;
    let mut utf8 = [0u8; 4];
    let mut i = 0;
    while i < b.len() {
        let Some((escape, len)) = escape_at(&b[i..]) else {
            out.push(b[i], v.spans[i]);
            i += 1;
            continue;
        };
        let mut len = len;
        let c = match escape {
            Escape::Byte(x) => {
                out.push(x, v.span(i, i + len).into_u32());
                decoded = true;
                i += len;
                continue;
            }
            Escape::Char(c) => Some(c),
            Escape::Unit(u) if (0xD800..0xDC00).contains(&u) => {
                let low = (b.get(i + 6) == Some(&b'\\') && b.get(i + 7) == Some(&b'u'))
                    .then(|| hex_number(b, i + 8, 4))
                    .flatten()
                    .filter(|l| (0xDC00..0xE000).contains(l));
                match low {
                    Some(l) => {
                        len += 6;
                        char::from_u32(0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00))
                    }
                    None => Some('\u{FFFD}'),
                }
            }
            Escape::Unit(u) => Some(char::from_u32(u).unwrap_or('\u{FFFD}')),
        };
        let span = v.span(i, i + len).into_u32();
        if let Some(c) = c {
            for x in c.encode_utf8(&mut utf8).bytes() {
                out.push(x, span);
            }
        }
        decoded = true;
        i += len;
    }
    decoded.then(|| drop_ignorable(&out))
}

trait IntoU32 {
    fn into_u32(self) -> (u32, u32);
}

impl IntoU32 for (usize, usize) {
    fn into_u32(self) -> (u32, u32) {
        (self.0 as u32, self.1 as u32)
    }
}

/// The view without the characters a scan ignores (bytes that are not UTF-8 stay).
fn drop_ignorable(v: &View) -> View {
    let mut out = View::default();
    let mut i = 0;
    while i < v.len() {
        match char_at(&v.bytes[i..]) {
            Some((c, len)) => {
                if !is_ignorable(c) {
                    for k in i..i + len {
                        out.push(v.bytes[k], v.spans[k]);
                    }
                }
                i += len;
            }
            None => {
                out.push(v.bytes[i], v.spans[i]);
                i += 1;
            }
        }
    }
    out
}

/// The encodings a secret is searched under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Alphabet {
    /// Hex digits, either case; `:`, `-`, `.`, `,`, `_` and `0x` between them are skipped.
    Hex,
    /// Base64 and base64url (`+`/`-` and `/`/`_` alike); `=` ends a run.
    Base64,
    /// Base32 (RFC 4648), either case; `=` ends a run.
    Base32,
}

impl Alphabet {
    pub(super) const ALL: [Alphabet; 3] = [Alphabet::Hex, Alphabet::Base64, Alphabet::Base32];

    fn bits(self) -> u32 {
        match self {
            Alphabet::Hex => 4,
            Alphabet::Base64 => 6,
            Alphabet::Base32 => 5,
        }
    }

    /// Where a byte can start within a run: every symbol offset modulo the group size.
    fn alignments(self) -> usize {
        match self {
            Alphabet::Hex => 2,
            Alphabet::Base64 => 4,
            Alphabet::Base32 => 8,
        }
    }

    fn value(self, b: u8) -> Option<u8> {
        match self {
            Alphabet::Hex => hex_value(b),
            Alphabet::Base64 => match b {
                b'A'..=b'Z' => Some(b - b'A'),
                b'a'..=b'z' => Some(b - b'a' + 26),
                b'0'..=b'9' => Some(b - b'0' + 52),
                b'+' | b'-' => Some(62),
                b'/' | b'_' => Some(63),
                _ => None,
            },
            Alphabet::Base32 => match b {
                b'A'..=b'Z' => Some(b - b'A'),
                b'a'..=b'z' => Some(b - b'a'),
                b'2'..=b'7' => Some(b - b'2' + 26),
                _ => None,
            },
        }
    }

    /// Whether `b` is skipped between two symbols of a run (a separator).
    fn separator(self, b: u8) -> bool {
        self == Alphabet::Hex && matches!(b, b':' | b'-' | b'.' | b',' | b'_')
    }

    /// Whether `s` starts with a `0x` prefix before a hex digit (skipped).
    fn prefix(self, s: &[u8]) -> bool {
        self == Alphabet::Hex && matches!(s, [b'0', b'x' | b'X', h, ..] if hex_value(*h).is_some())
    }

    /// The fewest symbols that can hold `bytes` whole bytes at any alignment.
    pub(super) fn symbols_for(self, bytes: usize) -> usize {
        (bytes * 8).div_ceil(self.bits() as usize)
    }
}

/// A run of symbols: their values and original ranges, and whether it touches the view's
/// start or end.
#[derive(Default)]
pub(super) struct Run {
    values: Zeroizing<Vec<u8>>,
    spans: Vec<(u32, u32)>,
    pub(super) at_start: bool,
    pub(super) at_end: bool,
}

/// Calls `f` for every run of `alphabet`'s symbols in `v` that has at least `min` symbols.
pub(super) fn runs(v: &View, alphabet: Alphabet, min: usize, mut f: impl FnMut(&Run)) {
    let b = &v.bytes;
    let mut run = Run::default();
    let mut first = 0;
    let mut i = 0;
    let mut flush = |run: &mut Run, first: usize, end: usize| {
        if run.values.len() >= min {
            run.at_start = first == 0;
            // Nothing but separators after it: the run reaches the end of the view.
            run.at_end = b[end.min(b.len())..].iter().all(|&x| alphabet.separator(x));
            f(run);
        }
        run.values.clear();
        run.spans.clear();
    };
    while i < b.len() {
        // `0x` before a group (not after a digit: `…00X5` is a digit and a letter).
        let after_digit = i > 0 && alphabet.value(b[i - 1]).is_some();
        if !after_digit && alphabet.prefix(&b[i..]) {
            i += 2;
            continue;
        }
        if let Some(x) = alphabet.value(b[i]) {
            if run.values.is_empty() {
                first = i;
            }
            run.values.push(x);
            run.spans.push(v.spans[i]);
            i += 1;
            continue;
        }
        let joins = !run.values.is_empty()
            && alphabet.separator(b[i])
            && b.get(i + 1)
                .is_some_and(|&n| alphabet.value(n).is_some() || n == b'0');
        if !joins {
            flush(&mut run, first, i);
        }
        i += 1;
    }
    flush(&mut run, first, b.len());
}

/// Decodes `run` starting at symbol `alignment` into `out` (bytes, each mapped to the
/// original range of the symbols its bits came from).
pub(super) fn decode(run: &Run, alphabet: Alphabet, alignment: usize, out: &mut View) {
    out.clear();
    let bits = alphabet.bits();
    let (mut acc, mut held) = (0u32, 0u32);
    let mut first = alignment;
    for k in alignment..run.values.len() {
        acc = (acc << bits) | u32::from(run.values[k]);
        held += bits;
        if held >= 8 {
            held -= 8;
            let byte = (acc >> held) as u8;
            out.push(byte, (run.spans[first].0, run.spans[k].1));
            acc &= (1 << held) - 1;
            first = if held > 0 { k } else { k + 1 };
        }
    }
}

/// The alignments of `alphabet` (every offset a byte boundary can fall on).
pub(super) fn alignments(alphabet: Alphabet) -> std::ops::Range<usize> {
    0..alphabet.alignments()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str, alphabet: Alphabet) -> Vec<Vec<u8>> {
        let v = canonical(text);
        let mut all = Vec::new();
        runs(&v, alphabet, 1, |run| {
            for a in alignments(alphabet) {
                let mut out = View::default();
                decode(run, alphabet, a, &mut out);
                all.push(out.bytes.to_vec());
            }
        });
        all
    }

    #[test]
    fn the_canonical_view_maps_each_byte_back() {
        let v = canonical("a\u{200B} b\0ä");
        assert_eq!(v.bytes.as_slice(), "abä".as_bytes());
        assert_eq!(v.span(0, 1), (0, 1));
        assert_eq!(v.span(1, 2), (5, 6));
        assert_eq!(v.span(2, 4), (7, 9));
    }

    #[test]
    fn escapes_of_every_kind_are_decoded() {
        let text = r"%41\u0042\x43&#68;&#x45;&amp;\ud83d\ude00\/\n%E2%80%8BZ";
        let u = unescape(&canonical(text)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&u.bytes),
            "ABCDE&\u{1F600}/Z",
            "the zero-width space and the line break are dropped"
        );
        assert!(unescape(&canonical("plain text")).is_none());
    }

    #[test]
    fn runs_decode_at_every_alignment() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "x", "xy", "xyz"] {
            let text = format!("{prefix}{}", b64.encode("Secret!"));
            assert!(
                decoded(&text, Alphabet::Base64)
                    .iter()
                    .any(|d| d.windows(7).any(|w| w == b"Secret!")),
                "{text}"
            );
        }
        for text in [
            "536563726574",
            "a53:65:63:72:65:74",
            "0x53,0x65,0x63,0x72,0x65,0x74",
        ] {
            assert!(
                decoded(text, Alphabet::Hex)
                    .iter()
                    .any(|d| d.windows(6).any(|w| w == b"Secret")),
                "{text}"
            );
        }
        // "Secret" in base32 (RFC 4648), lower case, after a glued word.
        assert!(decoded("wordknswg4tfoq", Alphabet::Base32)
            .iter()
            .any(|d| d.windows(6).any(|w| w == b"Secret")));
    }
}
