use super::*;
use base64::Engine as _;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn hex(bytes: &[u8], sep: &str, upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
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

fn base32(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut acc, mut bits) = (String::new(), 0u32, 0);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
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

#[test]
fn every_spelling_of_a_secret_is_removed() {
    let secret = "Sec3/Radius+Shared=Secret ä";
    let r = Redactor::new(None, &[secret]);
    let raw = secret.as_bytes();
    let spellings = [
        secret.to_string(),
        hex(raw, "", false),
        hex(raw, "", true),
        hex(raw, ":", true),
        hex(raw, "-", false),
        hex(raw, " ", false),
        format!("0x{}", hex(raw, ",0x", false)),
        hex(&utf16(secret, false), "", false),
        hex(&utf16(secret, true), " ", true),
        B64.encode(raw),
        B64.encode(raw).trim_end_matches('=').to_string(),
        B64URL.encode(raw),
        B64.encode([b"x".as_slice(), raw].concat()),
        B64.encode([b"xy".as_slice(), raw, b"z"].concat()),
        base32(raw),
        base32(raw).to_lowercase(),
        base32(&[b"abc".as_slice(), raw].concat()),
        B64.encode(utf16(secret, false)),
        serde_json::to_string(secret).unwrap(),
        "Sec3\\/Radius+Shared=Secret \\u00e4".into(),
        "Sec3&#x2F;Radius&#43;Shared&#61;Secret &#228;".into(),
        "Sec3%2FRadius%2BShared%3DSecret%20%C3%A4".into(),
        "Sec3%2fRadius%2bShared%3dSecret+%c3%a4".into(),
        "Sec3%252FRadius%252BShared%253DSecret%2520%25C3%25A4".into(),
        "S\0e\0c\x003\0/\0R\0a\0d\0i\0u\0s\0+\0S\0h\0a\0r\0e\0d\0=\0S\0e\0c\0r\0e\0t\0 \0ä\0"
            .into(),
        r"S\0e\0c\03\0/\0R\0a\0d\0i\0u\0s\0+\0S\0h\0a\0r\0e\0d\0=\0S\0e\0c\0r\0e\0t\0 \0ä".into(),
        "Sec3/Ra\u{200B}dius+Sha\u{202E}red=Sec\nret ä".into(),
        format!(
            "{}\u{200D}{}",
            &hex(raw, "", false)[..10],
            &hex(raw, "", false)[10..]
        ),
    ];
    for (i, s) in spellings.iter().enumerate() {
        for (before, after) in [("", ""), ("key=", " end"), ("k", "z")] {
            let text = format!("{before}{s}{after}");
            let out = r.server_text_within(&text, 10_000);
            assert!(out.contains(REDACTED), "{i}: {text:?} -> {out}");
            for leaked in ["Radius", "Shared", "526164697573", "UmFkaX"] {
                assert!(
                    !out.contains(leaked),
                    "{i}: {leaked} in {out} (from {text:?})"
                );
            }
            if before == "key=" {
                assert!(out.starts_with("key"), "{i}: {out}");
            }
        }
    }
}

#[test]
fn raw_bytes_are_searched_before_they_become_text() {
    let secret = "Pässwörd-Ünïcode";
    let r = Redactor::new(None, &[secret]);
    for raw in [
        utf16(secret, false),
        utf16(secret, true),
        secret.as_bytes().to_vec(),
    ] {
        let body = [b"\xff\xfeerr: ".as_slice(), &raw, b" end"].concat();
        let out = r.server_bytes_within(&body, 1000);
        assert!(out.contains(REDACTED), "{out}");
        assert!(out.contains("err:") && out.ends_with("end"), "{out}");
    }
}

#[test]
fn a_secret_cut_by_the_scan_bound_is_still_removed() {
    let secret = "Sec3/Radius+Shared=Secret-0123456789";
    let r = Redactor::new(None, &[secret]);
    for (encoded, per_byte) in [
        (secret.to_string(), 1),
        (hex(secret.as_bytes(), "", false), 2),
    ] {
        // The cut falls inside the secret: its first 6 bytes or more must not survive.
        for keep in [6 * per_byte, 12 * per_byte, 20 * per_byte] {
            let text = format!("{}{encoded}", "\u{1}".repeat(MAX_SCAN_BYTES - keep));
            let out = r.server_text(&text);
            assert!(
                !out.contains("Sec3/R") && !out.contains("536563332f"),
                "{out}"
            );
            assert!(out.contains(REDACTED), "{keep}: {out}");
        }
    }
    // Whole text, no cut: the same prefix at the end of a text is left alone.
    assert_eq!(r.server_text("said Sec3/Radius"), "said Sec3/Radius");
}

#[test]
fn every_spelling_of_the_credential_is_removed() {
    let r = Redactor::new(Some("svc"), &["p&ss w:rd"]);
    let b64 = B64.encode("svc:p&ss w:rd");
    let echo = format!(
        "Authorization: Basic {b64}\r\npw=p%26ss%20w%3Ard raw=p&ss w:rd xml=p&amp;ss w:rd pair=svc:p&ss w:rd form=p%26ss+w%3Ard"
    );
    let out = r.server_text(&echo);
    for leaked in ["p&ss", "p%26ss", "p&amp;ss", &b64[..20], "w%3Ard", "w:rd"] {
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
        "hunter 2",
        "h\u{200D}u\u{2066}n\u{FE0F}t\u{E0041}er2",
    ] {
        let out = r.server_text(trick);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains("hunt"), "no part of it shows: {out}");
        assert!(
            !out.chars()
                .any(|c| c.is_control() || views::is_invisible(c)),
            "{out:?}"
        );
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

#[test]
fn every_spelling_of_every_basic_credential_is_removed() {
    let mut r = Redactor::default();
    r.add_basic("svc", "Hunter2/ä+ :x");
    r.add_basic("proxyuser", "Pr0xy-Pa55");
    let echoes = [
        format!(
            "Proxy-Authorization: Basic {}",
            B64.encode("proxyuser:Pr0xy-Pa55")
        ),
        format!(
            "x{}y",
            B64.encode("svc:Hunter2/ä+ :x").trim_end_matches('=')
        ),
        "pw=Hunter2%2F%C3%A4%2B%20%3Ax".into(),
        "pw=Hunter2/%C3%A4%2B%20%3Ax".into(),
        "pw=Hunter2%2f%c3%a4%2b+%3ax".into(),
        "pw=Hunter2%2f%C3%a4%2B+%3Ax".into(),
        r#"{"pw":"Hunter2\/\u00e4+ :x"}"#.into(),
        r#"{"pw":"Hunter2/\u00E4+ :x"}"#.into(),
        r#"{"pw":"Hunter2/ä+ :x"}"#.into(),
        "svc:Hunter2/ä+ :x".into(),
        "Hunt\u{200B}er2/ä+ :x".into(),
        "Pr0xy\u{202E}-Pa55".into(),
        "Pr0xy-\nPa55".into(),
    ];
    for echo in echoes {
        let out = r.server_text(&echo);
        for leaked in [
            "Hunter2",
            "unter2",
            "Pr0xy",
            "Pa55",
            "SHVudGVy",
            "cHJveHl1c2Vy",
        ] {
            assert!(!out.contains(leaked), "{leaked} in {out} (from {echo:?})");
        }
    }
}

#[test]
fn short_secrets_are_removed_as_whole_tokens_only() {
    let r = Redactor::new(Some("svc"), &["p"]);
    let text = "https://127.0.0.1:1/x tcp connect error; password p was refused (p)";
    let out = r.server_text(text);
    assert_eq!(
        out,
        "https://127.0.0.1:1/x tcp connect error; password [redacted] was refused ([redacted])"
    );
    let r = Redactor::new(None, &["1234"]);
    assert_eq!(
        r.scrub("port 12345, pin 1234, 31323334."),
        "port 12345, pin [redacted], 31323334."
    );
    // A long secret is removed wherever it stands.
    let r = Redactor::new(None, &["longsecret"]);
    assert_eq!(r.scrub("xlongsecretx"), "x[redacted]x");
}

#[test]
fn a_long_secret_split_by_white_space_is_removed() {
    let r = Redactor::new(None, &["Zq9-Very-Secret"]);
    assert_eq!(r.server_text("echo: Zq9-Very -Secret"), "echo: [redacted]");
    assert_eq!(
        r.server_text("echo: Zq9-\tVery-Secret!"),
        "echo: [redacted]!"
    );
    assert_eq!(r.server_text("nothing here"), "nothing here");
}

#[test]
fn a_pem_keys_body_is_removed_in_any_encoding() {
    let der: Vec<u8> = (0u8..=200).collect();
    let body = B64.encode(&der);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n{}\n-----END PRIVATE KEY-----\n",
        &body[..64],
        &body[64..]
    );
    let r = Redactor::new(None, &[&pem]);
    for echo in [
        format!("key={body}"),
        format!("key={}", hex(&der, "", false)),
    ] {
        let out = r.server_text_within(&echo, 10_000);
        assert!(out.starts_with("key=[redacted]"), "{out}");
        assert!(out.len() < 40, "{out}");
    }
}

#[test]
fn our_own_words_stay_readable() {
    let r = Redactor::new(
        Some("demo-admin"),
        &["demo-password", "Sec3/Radius+Shared=Secret"],
    );
    for text in [
        "no verified answer from 127.0.0.1:1812 within the deadline of 5 s; Next: check -SharedSecret (radiusSharedSecret)",
        "approved in Okta Verify (SUCCESS)",
        "https://contoso.okta.com/api/v1/users/00u1alice/factors/opf1push/transactions/v2mst.tx1",
        "abcdefabcdef0123456789 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
    ] {
        assert_eq!(r.scrub(text), text);
        assert_eq!(r.server_text_within(text, 10_000), text);
    }
}

/// Found by the `radius_answer` fuzz target: a hex run whose last digit is `0`, followed by
/// `X5…`, lost its last digit to a `0x` prefix reading and no longer matched.
#[test]
fn a_hex_run_ending_in_0_before_an_x_is_read_whole() {
    let mut r = Redactor::default();
    r.add_secret("Fz9-Q7w!Rk2$Lp0#Xe5-shared");
    r.add_secret("Vb4%Nm8*Ty1@Pq");
    let text = b"!\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x0156006200340025004e006d0038002a00540079003100400050007100\x01\x01\x01\x01\x01\x01\x01X\x01\x01\x01\x01\x01\x015\x06kmy\x01\x04Fz9-Q7w!Rk2$Lp0#Xe5-shared";
    let out = r.server_bytes_within(text, 1000);
    assert!(!out.contains("5600620034"), "{out}");
}
