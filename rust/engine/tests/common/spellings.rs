//! The redaction property's generator and judge (shared by the engine's and the C ABI's
//! tests): seeded secrets; every reversible spelling a server could send one back in (hex
//! in either case with or without separators, base64 and base64url at every alignment with
//! or without padding, base32, percent, JSON, XML, C escapes, UTF-16 as hex or as text, any
//! of them split by control or invisible characters), embedded at any offset of other text;
//! and the judge: no output may hold a piece of a spelling that carries 6 or more
//! consecutive bytes of the secret, nor (white space and control characters squeezed out)
//! 6 consecutive characters of it.
#![allow(dead_code)]

use base64::Engine as _;
use std::collections::HashSet;

/// xorshift64*, seeded (the same sequence on every run).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A secret of 8 to 40 characters: letters, digits, punctuation, a space now and then, and
/// non-ASCII letters.
pub fn secret(rng: &mut Rng) -> String {
    const ASCII: &[u8] =
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-_.~!$%&'()*+,;=:@/?#[]{}\"\\<>^`| ";
    const WIDE: &[char] = &['ä', 'ö', 'ü', 'ß', 'é', '€', '名', '前', 'Ω', '😀'];
    let n = 8 + rng.below(33);
    let mut s = String::new();
    while s.chars().count() < n {
        if rng.below(8) == 0 {
            s.push(*rng.pick(WIDE));
        } else {
            s.push(*rng.pick(ASCII) as char);
        }
    }
    // No white space at either end (a secret's own edges are not a spelling question).
    s.trim()
        .chars()
        .filter(|c| *c != '\u{0}')
        .collect::<String>()
        + "Zq"
}

/// A secret that can travel in an HTTP header (an API token): 16 to 48 visible ASCII
/// characters.
pub fn token(rng: &mut Rng) -> String {
    const ASCII: &[u8] =
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-_.~!$%&'()*+,;=:@/?#[]{}<>^|";
    let n = 16 + rng.below(33);
    (0..n).map(|_| *rng.pick(ASCII) as char).collect::<String>() + "Zq"
}

/// One spelling of a secret: the text a server sends, and the pieces of it that carry 6 or
/// more bytes of the secret (any of them left in an output is a leak).
pub struct Spelled {
    pub name: String,
    pub text: String,
    pub windows: Vec<String>,
    /// Hex and base32 leak in either case.
    pub any_case: bool,
}

/// A spelling made of one unit per secret byte (or character), joined by `sep`: its
/// windows are every run of 6 units.
fn units(name: &str, units: Vec<String>, sep: &str, any_case: bool) -> Spelled {
    let windows = units
        .windows(6.min(units.len()))
        .map(|w| w.join(sep))
        .collect();
    Spelled {
        name: name.into(),
        text: units.join(sep),
        windows,
        any_case,
    }
}

/// A spelling that encodes `prefix ++ secret ++ suffix` at `bits` per symbol: its windows are
/// the runs of symbols that lie wholly inside the secret's bits and carry 6 bytes of it.
fn encoded(
    name: &str,
    text: String,
    bits: usize,
    prefix: usize,
    n: usize,
    any_case: bool,
) -> Spelled {
    let symbols: Vec<char> = text.chars().collect();
    let first = (prefix * 8).div_ceil(bits);
    let end = ((prefix + n) * 8 / bits).min(symbols.len());
    let w = (6 * 8usize).div_ceil(bits);
    let windows = if end >= first + w {
        (first..=end - w)
            .map(|i| symbols[i..i + w].iter().collect())
            .collect()
    } else {
        Vec::new()
    };
    Spelled {
        name: name.into(),
        text,
        windows,
        any_case,
    }
}

fn base32(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut acc, mut bits) = (String::new(), 0u64, 0);
    for &b in bytes {
        acc = (acc << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// Every spelling of `secret` (with random glue bytes before base64/base32 streams, so the
/// secret sits at every alignment).
pub fn all(secret: &str, rng: &mut Rng) -> Vec<Spelled> {
    let b = secret.as_bytes();
    let hexes = |bytes: &[u8], upper: bool| -> Vec<String> {
        bytes
            .iter()
            .map(|x| {
                if upper {
                    format!("{x:02X}")
                } else {
                    format!("{x:02x}")
                }
            })
            .collect()
    };
    let chars: Vec<char> = secret.chars().collect();
    let mut out = vec![
        units(
            "plain",
            chars.iter().map(|c| c.to_string()).collect(),
            "",
            false,
        ),
        units("hex", hexes(b, false), "", true),
        units("HEX", hexes(b, true), "", true),
        units("hex:", hexes(b, true), ":", true),
        units("hex-", hexes(b, false), "-", true),
        units("hex space", hexes(b, false), " ", true),
        units(
            "0x",
            hexes(b, false)
                .into_iter()
                .map(|h| format!("0x{h}"))
                .collect(),
            ",",
            true,
        ),
        units(
            "utf-16le hex",
            hexes(&utf16(secret, false), false),
            "",
            true,
        ),
        units("utf-16be hex", hexes(&utf16(secret, true), true), " ", true),
        units(
            "percent",
            b.iter().map(|x| format!("%{x:02X}")).collect(),
            "",
            true,
        ),
        units(
            "json \\u",
            chars
                .iter()
                .flat_map(|c| {
                    let mut u = [0u16; 2];
                    c.encode_utf16(&mut u)
                        .iter()
                        .map(|x| format!("\\u{x:04x}"))
                        .collect::<Vec<_>>()
                })
                .collect(),
            "",
            true,
        ),
        units(
            "xml &#",
            chars.iter().map(|c| format!("&#{};", *c as u32)).collect(),
            "",
            false,
        ),
        units(
            "xml &#x",
            chars
                .iter()
                .map(|c| format!("&#x{:X};", *c as u32))
                .collect(),
            "",
            true,
        ),
        units(
            "c \\x",
            b.iter().map(|x| format!("\\x{x:02x}")).collect(),
            "",
            true,
        ),
    ];
    let json = serde_json::to_string(secret).unwrap();
    out.push(Spelled {
        name: "json".into(),
        windows: Vec::new(),
        text: json[1..json.len() - 1].to_string(),
        any_case: false,
    });
    for (name, big) in [("utf-16le text", false), ("utf-16be text", true)] {
        // Each byte shown as the character of that code (Latin-1): NUL between ASCII
        // letters, other characters for the rest; judged after squeezing.
        let text: String = utf16(secret, big).iter().map(|&x| char::from(x)).collect();
        out.push(Spelled {
            name: name.into(),
            text,
            windows: Vec::new(),
            any_case: false,
        });
    }
    for prefix in 0..3 {
        let glue: Vec<u8> = (0..prefix).map(|_| rng.next() as u8).collect();
        let suffix: Vec<u8> = (0..rng.below(3)).map(|_| rng.next() as u8).collect();
        let stream = [glue.as_slice(), b, &suffix].concat();
        let std = base64::engine::general_purpose::STANDARD.encode(&stream);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&stream);
        out.push(encoded(
            &format!("base64+{prefix}"),
            std.clone(),
            6,
            prefix,
            b.len(),
            false,
        ));
        out.push(encoded(
            &format!("base64 unpadded+{prefix}"),
            std.trim_end_matches('=').into(),
            6,
            prefix,
            b.len(),
            false,
        ));
        out.push(encoded(
            &format!("base64url+{prefix}"),
            url,
            6,
            prefix,
            b.len(),
            false,
        ));
    }
    for prefix in 0..5 {
        let glue: Vec<u8> = (0..prefix).map(|_| rng.next() as u8).collect();
        let stream = [glue.as_slice(), b].concat();
        let text = base32(&stream);
        let text = if rng.below(2) == 0 {
            text
        } else {
            text.to_lowercase()
        };
        out.push(encoded(
            &format!("base32+{prefix}"),
            text,
            5,
            prefix,
            b.len(),
            true,
        ));
    }
    let utf = base64::engine::general_purpose::STANDARD.encode(utf16(secret, false));
    out.push(encoded(
        "base64 utf-16le",
        utf,
        6,
        0,
        2 * secret.encode_utf16().count(),
        false,
    ));
    out
}

/// `text` with control or invisible characters inserted at random places (never inside a
/// multi-byte character).
/// Bytes shown as text (UTF-16 as text) get invisible characters only: a control character
/// there would be a byte of the data.
pub fn split(text: &str, rng: &mut Rng) -> String {
    if text.contains('\u{0}') {
        const INVISIBLE: &[char] = &['\u{200B}', '\u{200D}', '\u{202E}', '\u{2066}', '\u{FEFF}'];
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if rng.below(5) == 0 {
                out.push(*rng.pick(INVISIBLE));
            }
        }
        return out;
    }
    const HIDDEN: &[char] = &[
        '\u{0}',
        '\u{1}',
        '\u{7f}',
        '\u{85}',
        '\n',
        '\t',
        '\u{200B}',
        '\u{200D}',
        '\u{202E}',
        '\u{2066}',
        '\u{FEFF}',
        '\u{FE0F}',
        '\u{E0041}',
        '\u{AD}',
    ];
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if rng.below(5) == 0 {
            out.push(*rng.pick(HIDDEN));
        }
    }
    out
}

/// Filler a server might put around a secret: words, punctuation, control bytes.
pub fn filler(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "error",
        "the",
        "server",
        "said:",
        "key=",
        "token",
        "rejected",
        "(E0000011)",
        "id",
        "\u{1}\u{1}\u{1}",
        "\r\n",
        "\u{1b}[31m",
        "—",
        "<b>",
        "</b>",
        "{\"x\":",
        "…",
        "q",
    ];
    let n = rng.below(12);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick::<&str>(WORDS));
        if rng.below(2) == 0 {
            s.push(' ');
        }
    }
    s
}

/// Without white space, control and invisible characters (what the judge squeezes out).
pub fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !(c.is_whitespace()
                || c.is_control()
                || matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFE00..=0xFE0F | 0xE0000..=0xE007F | 0xAD))
        })
        .collect()
}

/// What of `secret` (spelled as `spelled`) survives in `output`, if anything: a piece of the
/// spelling that carries 6 bytes of it, or 6 consecutive characters of it once white space,
/// control and invisible characters are squeezed out of both.
pub fn leak(output: &str, secret: &str, spelled: &Spelled) -> Option<String> {
    let squeezed_secret: Vec<char> = squeeze(secret).chars().collect();
    let squeezed_out = squeeze(output);
    for w in squeezed_secret.windows(6) {
        let w: String = w.iter().collect();
        if squeezed_out.contains(&w) {
            return Some(format!("6 characters of the secret: {w:?}"));
        }
    }
    if spelled.windows.is_empty() {
        return None;
    }
    let len = spelled.windows[0].chars().count();
    for text in [output.to_string(), squeezed_out] {
        let hay: Vec<char> = if spelled.any_case {
            text.to_ascii_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        if hay.len() < len {
            continue;
        }
        let pieces: HashSet<String> = hay.windows(len).map(|w| w.iter().collect()).collect();
        for w in &spelled.windows {
            for candidate in [w.clone(), squeeze(w)] {
                let c = if spelled.any_case {
                    candidate.to_ascii_lowercase()
                } else {
                    candidate
                };
                if c.chars().count() == len && pieces.contains(&c) {
                    return Some(format!("a piece of the {} spelling: {c:?}", spelled.name));
                }
            }
        }
    }
    None
}
