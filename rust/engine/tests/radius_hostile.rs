//! A hostile RADIUS server (or someone on the path) tries to make the engine approve:
//! forged answers from another port, wrong identifiers and authenticators, missing,
//! wrong and doubled Message-Authenticators, truncated packets, lengths that lie, packets
//! past 4 KiB, floods, and Reply-Messages with terminal escapes or the shared secret.
//! Every case ends not approved within its deadline, and a real answer after the junk
//! still counts.

use crate::radius_common;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Status;
use mfa_protocol::radius::server::{encode_answer, MessageAuthenticator, Request};
use mfa_protocol::radius::{attr, code};
use radius_common::*;
use std::time::{Duration, Instant};

fn answer(r: &Request, code: u8, reply: &[u8], ma: MessageAuthenticator) -> Vec<u8> {
    let attrs: Vec<(u8, &[u8])> = if reply.is_empty() {
        vec![]
    } else {
        vec![(attr::REPLY_MESSAGE, reply)]
    };
    encode_answer(
        code,
        r.identifier,
        &r.authenticator,
        &attrs,
        SECRET.as_bytes(),
        ma,
    )
    .unwrap()
}

fn accept(r: &Request) -> Vec<u8> {
    answer(r, code::ACCESS_ACCEPT, b"", MessageAuthenticator::Correct)
}

fn reject(r: &Request) -> Vec<u8> {
    answer(r, code::ACCESS_REJECT, b"", MessageAuthenticator::Correct)
}

/// Sets the Length field to the datagram's size and re-signs nothing (a forger's edit).
fn relength(mut b: Vec<u8>) -> Vec<u8> {
    let n = (b.len() as u16).to_be_bytes();
    b[2..4].copy_from_slice(&n);
    b
}

type Script = fn(&Request) -> Vec<Datagram>;

/// Forgeries, each followed by nothing (the request must time out) or by a genuine
/// Access-Reject (which must count, the forgeries having been dropped).
fn forgeries() -> Vec<(&'static str, Script, &'static str)> {
    vec![
        (
            "a correctly signed Accept from another port",
            |r| {
                vec![Datagram {
                    bytes: accept(r),
                    from_other_port: true,
                }]
            },
            "",
        ),
        (
            "an Accept for another identifier",
            |r| {
                let mut other = r.clone();
                other.identifier = r.identifier.wrapping_add(1);
                vec![send(accept(&other))]
            },
            "wrong identifier",
        ),
        (
            "an Accept for another request authenticator",
            |r| {
                let mut other = r.clone();
                other.authenticator[0] ^= 1;
                vec![send(accept(&other))]
            },
            "wrong Response Authenticator",
        ),
        (
            "an Accept with a zero Response Authenticator",
            |r| {
                let mut b = accept(r);
                b[4..20].fill(0);
                vec![send(b)]
            },
            "wrong Response Authenticator",
        ),
        (
            "an Accept without a Message-Authenticator",
            |r| {
                vec![send(answer(
                    r,
                    code::ACCESS_ACCEPT,
                    b"",
                    MessageAuthenticator::Omit,
                ))]
            },
            "no Message-Authenticator",
        ),
        (
            "an Accept with a wrong Message-Authenticator",
            |r| {
                vec![send(answer(
                    r,
                    code::ACCESS_ACCEPT,
                    b"",
                    MessageAuthenticator::Wrong,
                ))]
            },
            "wrong Message-Authenticator",
        ),
        (
            "an Accept with two Message-Authenticators",
            |r| {
                vec![send(answer(
                    r,
                    code::ACCESS_ACCEPT,
                    b"",
                    MessageAuthenticator::Twice,
                ))]
            },
            "Message-Authenticator given twice",
        ),
        (
            "every truncation of an Accept",
            |r| {
                let b = accept(r);
                (0..b.len()).map(|n| send(b[..n].to_vec())).collect()
            },
            "shorter than a RADIUS header",
        ),
        (
            "an Accept whose Length field is shorter than the datagram",
            |r| {
                let mut b = accept(r);
                b.extend_from_slice(&[18, 6, b'p', b'a', b'd', b'!']);
                vec![send(b)]
            },
            "Length field",
        ),
        (
            "an Accept whose attribute length runs past the end",
            |r| {
                let mut b = answer(
                    r,
                    code::ACCESS_ACCEPT,
                    b"hello",
                    MessageAuthenticator::Correct,
                );
                let at = b.len() - 6; // the Reply-Message's length byte
                b[at] = 200;
                vec![send(b)]
            },
            "attribute length",
        ),
        (
            "an Accept with a zero attribute length",
            |r| {
                let mut b = accept(r);
                b.extend_from_slice(&[18, 0]);
                vec![send(relength(b))]
            },
            "attribute length",
        ),
        (
            "Accepts of 4 KiB and more",
            |r| {
                let mut b = accept(r);
                b.resize(4097, 0);
                let mut huge = accept(r);
                huge.resize(60_000, b'A');
                vec![send(relength(b)), send(huge)]
            },
            "longer than 4096 bytes",
        ),
        (
            "the Access-Request echoed back, and unknown codes",
            |r| {
                let mut echoed = accept(r);
                echoed[0] = code::ACCESS_REQUEST;
                let mut accounting = accept(r);
                accounting[0] = 5;
                vec![send(echoed), send(accounting)]
            },
            "not an Access-Accept",
        ),
        (
            "a flood of 2,000 junk datagrams",
            |r| {
                (0..2000u32)
                    .map(|i| {
                        let mut b = accept(r);
                        b[20 + (i as usize % 18)] ^= 0x5A;
                        send(b)
                    })
                    .collect()
            },
            "dropped",
        ),
    ]
}

#[tokio::test]
async fn no_forgery_approves_and_none_stops_a_genuine_answer() {
    for (name, script, reason) in forgeries() {
        // Forgery alone: dropped, the wait goes on until the deadline.
        let addr = hostile(SECRET, script).await;
        let client = client_for(&[addr.to_string()], "", SECRET, None);
        let started = Instant::now();
        let o = run(&client, "alice@contoso.com", 1.5).await;
        let elapsed = started.elapsed();
        assert!(!o.approved, "{name}: {}", o.message);
        assert_eq!(o.status, Status::TimedOut, "{name}: {}", o.message);
        assert!(o.message.contains(reason), "{name}: {}", o.message);
        assert!(
            elapsed < Duration::from_millis(2500),
            "{name}: took {elapsed:?}"
        );

        // Forgery, then the genuine answer: the Reject counts.
        let addr = hostile(SECRET, move |r| {
            let mut out = script(r);
            out.push(send(reject(r)));
            out
        })
        .await;
        let client = client_for(&[addr.to_string()], "", SECRET, None);
        let o = run(&client, "alice@contoso.com", 5.0).await;
        assert_eq!(o.status, Status::Denied, "{name}: {}", o.message);
    }
}

#[tokio::test]
async fn a_genuine_accept_after_forgeries_is_the_approval_and_says_what_was_dropped() {
    let addr = hostile(SECRET, |r| {
        let mut other = r.clone();
        other.identifier = r.identifier.wrapping_add(1);
        vec![
            send(answer(
                r,
                code::ACCESS_ACCEPT,
                b"",
                MessageAuthenticator::Omit,
            )),
            send(accept(&other)),
            send(accept(r)),
        ]
    })
    .await;
    let client = client_for(&[addr.to_string()], "", SECRET, None);
    let o = run(&client, "alice@contoso.com", 5.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(
        o.message.contains("2 answer(s) failed a check"),
        "{}",
        o.message
    );
    assert_eq!(o.data.as_ref().unwrap()["answersDropped"], 2);
}

#[tokio::test]
async fn reply_messages_are_cleaned_bounded_and_redacted() {
    let addr = hostile(SECRET, |r| {
        let text = format!(
            "\u{1b}[2J\u{1b}[31mDenied\u{7}\r\nsecret={SECRET} {} end",
            "x".repeat(600)
        );
        let parts: Vec<&[u8]> = text.as_bytes().chunks(200).collect();
        let attrs: Vec<(u8, &[u8])> = parts.iter().map(|p| (attr::REPLY_MESSAGE, *p)).collect();
        vec![send(
            encode_answer(
                code::ACCESS_CHALLENGE,
                r.identifier,
                &r.authenticator,
                &attrs,
                SECRET.as_bytes(),
                MessageAuthenticator::Correct,
            )
            .unwrap(),
        )]
    })
    .await;
    let client = client_for(&[addr.to_string()], "", SECRET, None);
    let o = run(&client, "alice@contoso.com", 5.0).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Challenge);
    let all = serde_json::to_string(&o).unwrap();
    assert!(!all.contains(SECRET), "{all}");
    assert!(!all.contains('\u{1b}') && !all.contains("\\u001b"), "{all}");
    assert!(o.message.contains("[redacted]"), "{}", o.message);
    // At most 200 characters of server text, plus our own sentence and its next step.
    assert!(o.message.chars().count() < 650, "{}", o.message);
}

#[tokio::test]
async fn an_answer_signed_with_another_shared_secret_never_approves() {
    let addr = hostile(SECRET, |r| {
        vec![send(
            encode_answer(
                code::ACCESS_ACCEPT,
                r.identifier,
                &r.authenticator,
                &[],
                b"the-servers-other-secret",
                MessageAuthenticator::Correct,
            )
            .unwrap(),
        )]
    })
    .await;
    let client = client_for(&[addr.to_string()], "", SECRET, None);
    let o = run(&client, "alice@contoso.com", 1.0).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert!(
        o.message.contains("wrong Response Authenticator"),
        "{}",
        o.message
    );
}

/// Issue 25: a Reply-Message echoing the shared secret or the fixed password in hex (the
/// spelling the redactor did not know), and the shared secret after 1,000 control bytes
/// (a cut before redaction left its first 24 characters, which the folding of the control
/// bytes then brought into the 200 shown). Each is redacted wherever it lands.
#[tokio::test]
async fn the_shared_secret_and_the_password_in_any_spelling_never_reach_the_outcome() {
    use base64::Engine as _;
    const PASSWORD: &str = "Fixed-PAP-Passw0rd-42";
    let hex = |s: &str, sep: &str| {
        s.bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let utf16_hex = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
    };
    let control = "\u{1}".repeat(1000);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "hex of the secret",
            format!("key={}", hex(SECRET, "")).into_bytes(),
        ),
        (
            "HEX:HEX of the secret",
            format!("key={}", hex(SECRET, ":").to_uppercase()).into_bytes(),
        ),
        (
            "hex of the password",
            format!("pw={}", hex(PASSWORD, "")).into_bytes(),
        ),
        (
            "UTF-16 hex of the password",
            format!("pw={}", utf16_hex(PASSWORD)).into_bytes(),
        ),
        (
            "base64 of the secret",
            base64::engine::general_purpose::STANDARD
                .encode(SECRET)
                .into_bytes(),
        ),
        (
            "UTF-16 bytes of the secret",
            SECRET.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ),
        (
            "1,000 control bytes, then the secret",
            format!("{control}{SECRET}").into_bytes(),
        ),
        (
            "1,000 control bytes, then hex of the secret",
            format!("{control}{}", hex(SECRET, "")).into_bytes(),
        ),
    ];
    for (name, reply) in cases {
        let addr = hostile(SECRET, move |r| {
            let parts: Vec<(u8, &[u8])> = reply
                .chunks(240)
                .map(|c| (attr::REPLY_MESSAGE, c))
                .collect();
            vec![send(
                encode_answer(
                    code::ACCESS_REJECT,
                    r.identifier,
                    &r.authenticator,
                    &parts,
                    SECRET.as_bytes(),
                    MessageAuthenticator::Correct,
                )
                .unwrap(),
            )]
        })
        .await;
        let client = client_for(
            &[addr.to_string()],
            r#""passwordMode":"fixed""#,
            SECRET,
            Some(PASSWORD),
        );
        let o = run(&client, "alice@contoso.com", 5.0).await;
        assert_eq!(o.status, Status::Denied, "{name}: {}", o.message);
        let all = serde_json::to_string(&o).unwrap();
        for leaked in [
            &SECRET[..6],
            &PASSWORD[..6],
            &hex(SECRET, "")[..12],
            &hex(PASSWORD, "")[..12],
            &utf16_hex(PASSWORD)[..12],
        ] {
            assert!(
                !all.to_ascii_lowercase()
                    .contains(&leaked.to_ascii_lowercase()),
                "{name}: {leaked} in {all}"
            );
        }
        assert!(o.message.contains("[redacted]"), "{name}: {}", o.message);
    }
}
