//! RADIUS answers from a hostile server, past the authenticators: the harness builds a
//! datagram from the fuzzed code, identifier, flags and attributes, and computes a valid
//! Response Authenticator and Message-Authenticator over them (unless a flag says not to),
//! so the fuzzer explores what lies behind the checks. It may also put the shared secret or
//! the password into a Reply-Message, in one of several spellings, at a fuzzed offset.
//!
//! Invariants: no panic; only a well-formed Access-Accept for the right identifier, with a
//! Response Authenticator and (when required) exactly one Message-Authenticator that verify,
//! approves (checked here independently: the structure walked again, the MD5 and HMAC-MD5
//! computed with the `md-5` and `hmac` crates); and no message holds the secret or the
//! password, as is or in hex, base64 or UTF-16 hex (white space and control characters
//! squeezed out). (Pieces of a secret in the fuzzed text are not secrets; the property test
//! `redaction_property.rs` judges pieces of whole secrets.)
#![no_main]
use base64::Engine as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use md5::{Digest, Md5};
use mfa_engine::testing::RadiusReader;
use mfa_engine::Status;
use std::sync::OnceLock;

const SECRET: &str = "Fz9-Q7w!Rk2$Lp0#Xe5-shared";
const PASSWORD: &str = "Vb4%Nm8*Ty1@Pq";
const IDENTIFIER: u8 = 0x5A;
const REQUEST_AUTHENTICATOR: [u8; 16] = *b"\x13\x37request-auth\x00\xff";

fn readers() -> &'static [RadiusReader; 2] {
    static R: OnceLock<[RadiusReader; 2]> = OnceLock::new();
    R.get_or_init(|| {
        [
            RadiusReader::new(SECRET, PASSWORD, true),
            RadiusReader::new(SECRET, PASSWORD, false),
        ]
    })
}

/// The spellings a server that knows a secret could send back.
fn spelled(secret: &str, how: u8) -> Vec<u8> {
    let b = secret.as_bytes();
    match how % 8 {
        0 => b.to_vec(),
        1 => b.iter().map(|x| format!("{x:02x}")).collect::<String>().into_bytes(),
        2 => b
            .iter()
            .map(|x| format!("{x:02X}"))
            .collect::<Vec<_>>()
            .join(":")
            .into_bytes(),
        3 => base64::engine::general_purpose::STANDARD.encode(b).into_bytes(),
        4 => secret.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        5 => secret
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
            .into_bytes(),
        6 => b.iter().flat_map(|&x| [x, 0x01]).collect(),
        _ => b
            .iter()
            .map(|&x| {
                if x.is_ascii_alphanumeric() {
                    (x as char).to_string()
                } else {
                    format!("%{x:02X}")
                }
            })
            .collect::<String>()
            .into_bytes(),
    }
}

/// The attributes as RADIUS walks them, when the packet is well formed.
fn attributes(packet: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    if packet.len() < 20 || packet.len() > 4096 {
        return None;
    }
    if usize::from(u16::from_be_bytes([packet[2], packet[3]])) != packet.len() {
        return None;
    }
    let mut out = Vec::new();
    let mut at = 20;
    while at < packet.len() {
        let len = usize::from(*packet.get(at + 1)?);
        if len < 2 || at + len > packet.len() {
            return None;
        }
        out.push((packet[at], &packet[at + 2..at + len]));
        at += len;
    }
    Some(out)
}

fn response_authenticator(packet: &[u8]) -> [u8; 16] {
    Md5::new()
        .chain_update(&packet[..4])
        .chain_update(REQUEST_AUTHENTICATOR)
        .chain_update(&packet[20..])
        .chain_update(SECRET.as_bytes())
        .finalize()
        .into()
}

/// HMAC-MD5 over the packet with the Request Authenticator in its place and the
/// Message-Authenticator's value (at `at`) zeroed.
fn message_authenticator(packet: &[u8], at: usize) -> [u8; 16] {
    let mut copy = packet.to_vec();
    copy[4..20].copy_from_slice(&REQUEST_AUTHENTICATOR);
    copy[at..at + 16].fill(0);
    let mut mac = <Hmac<Md5>>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&copy);
    mac.finalize().into_bytes().into()
}

/// The spellings of each secret the judge looks for (and whether their case carries
/// nothing: hex), made once.
fn forms() -> &'static Vec<(String, bool)> {
    static F: OnceLock<Vec<(String, bool)>> = OnceLock::new();
    F.get_or_init(|| {
        let mut all = Vec::new();
        for secret in [SECRET, PASSWORD] {
            let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
            all.push((secret.to_string(), false));
            all.push((secret.bytes().map(|x| format!("{x:02x}")).collect(), true));
            all.push((b64.trim_end_matches('=').to_string(), false));
            all.push((
                secret
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .map(|x| format!("{x:02x}"))
                    .collect(),
                true,
            ));
        }
        all
    })
}

/// A secret in the message, whole, in any spelling the harness can inject (a piece of one
/// is not a leak here: the fuzzed text around it may hold pieces of its own).
fn leaks(message: &str) -> Option<&'static str> {
    let squeezed: String = message
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = squeezed.to_ascii_lowercase();
    forms()
        .iter()
        .find(|(f, any_case)| {
            squeezed.contains(f.as_str()) || (*any_case && lower.contains(f.as_str()))
        })
        .map(|(f, _)| f.as_str())
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, attrs) = data.split_at(3);
    let code = match head[0] % 4 {
        0 => 2,
        1 => 3,
        2 => 11,
        _ => head[0],
    };
    let flags = head[1];
    let wrong_identifier = flags & 1 != 0;
    let add_ma = flags & 2 != 0;
    let corrupt_ra = flags & 4 != 0;
    let inject = flags & 8 != 0;
    let require_ma = flags & 128 == 0;
    let identifier = if wrong_identifier {
        IDENTIFIER.wrapping_add(1)
    } else {
        IDENTIFIER
    };

    let mut packet = vec![code, identifier, 0, 0];
    packet.extend_from_slice(&REQUEST_AUTHENTICATOR);
    let ma_at = add_ma.then(|| {
        packet.extend_from_slice(&[80, 18]);
        packet.extend_from_slice(&[0; 16]);
        22
    });
    if inject {
        // A Reply-Message holding a secret at a fuzzed offset of the fuzzed text.
        let secret = if flags & 64 != 0 { PASSWORD } else { SECRET };
        let text = spelled(secret, flags >> 4);
        let cut = usize::from(head[2]).min(attrs.len());
        let mut value = attrs[..cut].to_vec();
        value.extend_from_slice(&text);
        for chunk in value.chunks(253) {
            packet.push(18);
            packet.push(chunk.len() as u8 + 2);
            packet.extend_from_slice(chunk);
        }
        packet.extend_from_slice(&attrs[cut..]);
    } else {
        packet.extend_from_slice(attrs);
    }
    let len = u16::try_from(packet.len()).unwrap_or(u16::MAX);
    packet[2..4].copy_from_slice(&len.to_be_bytes());
    if let Some(at) = ma_at {
        if packet.len() >= at + 16 {
            let mac = message_authenticator(&packet, at);
            packet[at..at + 16].copy_from_slice(&mac);
        }
    }
    if !corrupt_ra {
        let ra = response_authenticator(&packet);
        packet[4..20].copy_from_slice(&ra);
    }

    let reader = &readers()[usize::from(!require_ma)];
    let Ok((status, message)) = reader.read(&packet, IDENTIFIER, &REQUEST_AUTHENTICATOR) else {
        return;
    };
    if let Some(leak) = leaks(&message) {
        panic!("a secret ({leak}) reached the message: {message}");
    }
    if status != Status::Approved {
        return;
    }
    // An approval: check every rule again, independently.
    assert_eq!(packet[0], 2, "approved something other than an Access-Accept");
    assert_eq!(packet[1], IDENTIFIER, "approved an answer to another request");
    let attrs = attributes(&packet).expect("approved a malformed packet");
    assert_eq!(
        packet[4..20],
        response_authenticator(&packet),
        "approved a wrong Response Authenticator"
    );
    let mas: Vec<usize> = {
        let mut at = 20;
        let mut found = Vec::new();
        for (t, v) in &attrs {
            if *t == 80 {
                assert_eq!(v.len(), 16, "approved a Message-Authenticator of the wrong size");
                found.push(at + 2);
            }
            at += v.len() + 2;
        }
        found
    };
    assert!(mas.len() <= 1, "approved two Message-Authenticators");
    if require_ma {
        assert_eq!(mas.len(), 1, "approved without a Message-Authenticator");
    }
    for at in mas {
        assert_eq!(
            packet[at..at + 16],
            message_authenticator(&packet, at),
            "approved a wrong Message-Authenticator"
        );
    }
});
