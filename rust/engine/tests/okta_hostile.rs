//! A hostile Okta org (plain HTTP on loopback, scripted): forged poll answers, transaction
//! links to another user, factor, origin or transaction, answers that are huge, endless or
//! dripping, rate-limit headers and Retry-After at their extremes, and a server echoing
//! the API token. Each ends not approved, within the request's deadline; an honest answer
//! through the same harness is approved (so the harness can approve).

use crate::common;
use common::fake_okta::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Outcome, Status};
use std::time::{Duration, Instant};

const TOKEN: &str = "00Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";

async fn approve_on(server: &FakeOkta, extra: &str, seconds: u32) -> Outcome {
    let client = server.client(extra, TOKEN);
    common::run(
        &client,
        &format!(r#"{{"userName":"alice@contoso.com","timeoutSeconds":{seconds}}}"#),
    )
    .await
}

async fn approve_with(answer: Answer) -> (Outcome, FakeOkta) {
    let server = FakeOkta::start(answer).await;
    let o = approve_on(&server, "", 10).await;
    (o, server)
}

#[tokio::test]
async fn an_honest_success_is_approved_by_the_same_harness() {
    let (o, server) = approve_with(polls_answer(r#"{"factorResult":"SUCCESS"}"#)).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let verify = server
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert!(
        verify
            .head
            .contains(&format!("authorization: SSWS {TOKEN}"))
            || verify
                .head
                .contains(&format!("Authorization: SSWS {TOKEN}"))
    );
    assert!(verify
        .head
        .to_ascii_lowercase()
        .contains("user-agent: mfaapproval/"));
}

#[tokio::test]
async fn forged_poll_answers_are_never_approvals() {
    let cases = [
        r#"{"factorResult":"WAITING","factorResult":"SUCCESS"}"#,
        r#"{"factorResult":"REJECTED","f\u0061ctorResult":"SUCCESS"}"#,
        r#"{"factorResult":"SUCCESS","factorResult":"SUCCESS"}"#,
        r#"{"factorResult":"WAITING"}{"factorResult":"SUCCESS"}"#,
        r#"{"factorResult":"SUCCESS"} x"#,
        "\u{feff}{\"factorResult\":\"SUCCESS\"}",
        r#"{"factorResult":"success"}"#,
        r#"{"factorResult":"Success"}"#,
        r#"{"factorResult":"SUCCESS "}"#,
        r#"{"factorResult":"SUCCESS\u200b"}"#,
        r#"{"factorResult":"APPROVED"}"#,
        r#"{"factorResult":["SUCCESS"]}"#,
        r#"{"factorResult":1}"#,
        r#"{"factorResult":null}"#,
        r#"{"result":"SUCCESS"}"#,
        r#"["SUCCESS"]"#,
        r#""SUCCESS""#,
        r#"{"factorResult":"SUCCESS","_links":{"poll":{"href":"http://127.0.0.1:1/api/v1/users/x/factors/y/transactions/z"}}}"#,
        r#"{"factorResult":"SUCCESS","_links":"x"}"#,
        "",
    ];
    for body in cases {
        let (o, _) = approve_with(polls_answer(body)).await;
        assert!(!o.approved, "{body}: {}", o.message);
        assert_eq!(o.status, Status::Failed, "{body}: {}", o.message);
    }
}

#[tokio::test]
async fn a_poll_answered_with_another_status_code_is_refused() {
    for status in [201, 202, 203, 204, 302] {
        let answer = org(
            |base| json(201, waiting(base)),
            move |_, _| {
                json(status, r#"{"factorResult":"SUCCESS"}"#)
                    .header("Location", "http://127.0.0.1:1/")
            },
        );
        let (o, _) = approve_with(answer).await;
        assert!(!o.approved, "{status}: {}", o.message);
        assert_eq!(o.status, Status::Failed, "{status}: {}", o.message);
    }
}

#[tokio::test]
async fn a_verify_that_decides_without_a_push_is_refused() {
    for (status, body) in [
        (200, r#"{"factorResult":"SUCCESS"}"#.to_string()),
        (201, r#"{"factorResult":"SUCCESS"}"#.to_string()),
        (
            200,
            r#"{"factorResult":"WAITING","_links":{"poll":{"href":"x"}}}"#.to_string(),
        ),
        (201, r#"{"factorResult":"WAITING"}"#.to_string()),
        (
            201,
            r#"{"factorResult":"WAITING","factorResult":"WAITING"}"#.to_string(),
        ),
    ] {
        let answer = org(
            move |_| json(status, body.clone()),
            |_, _| json(200, r#"{"factorResult":"SUCCESS"}"#),
        );
        let (o, server) = approve_with(answer).await;
        assert!(!o.approved, "{status}: {}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Protocol, "{}", o.message);
        assert_eq!(server.transaction_calls("GET"), 0, "nothing polled");
    }
}

#[tokio::test]
async fn transaction_links_to_another_user_factor_origin_or_path_are_never_followed() {
    let elsewhere = FakeOkta::start(polls_answer(r#"{"factorResult":"SUCCESS"}"#)).await;
    let other_origin = elsewhere.base();
    let links = move |base: &str| -> Vec<String> {
        vec![
            format!("{base}/api/v1/users/00uBOB/factors/{FID}/transactions/{TID}"),
            format!("{base}/api/v1/users/{UID}/factors/opfOTHER/transactions/{TID}"),
            format!(
                "{base}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}/../../../../00uBOB"
            ),
            format!("{base}/api/v1/users/{UID}/factors/{FID}/transactions/"),
            format!("{base}/api/v1/users/{UID}/factors/{FID}/transactions/a/b"),
            format!(
                "{base}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}?factorResult=SUCCESS"
            ),
            format!("{other_origin}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}"),
            format!(
                "https://{}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}",
                base.trim_start_matches("http://")
            ),
            format!(
                "http://user:pw@{}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}",
                base.trim_start_matches("http://")
            ),
            format!(
                "http://localhost:{}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}",
                base.rsplit(':').next().unwrap()
            ),
            "/api/v1/users/00u1alice/factors/opf1push/transactions/v2mst.tx1".to_string(),
        ]
    };
    let count = links("http://127.0.0.1:1").len();
    for i in 0..count {
        let links = links.clone();
        let answer = org(
            move |base| {
                let href = links(base)[i].clone();
                json(
                    201,
                    format!(
                        r#"{{"factorResult":"WAITING","_links":{{"poll":{{"href":"{href}"}}}}}}"#
                    ),
                )
            },
            |_, _| json(200, r#"{"factorResult":"SUCCESS"}"#),
        );
        let (o, server) = approve_with(answer).await;
        assert!(!o.approved, "{i}: {}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Protocol, "{i}: {}", o.message);
        assert_eq!(server.transaction_calls("GET"), 0, "{i}: nothing polled");
    }
    assert!(
        elsewhere.seen().is_empty(),
        "the other origin never heard from us"
    );
    // A cancel link to another transaction is refused too.
    let answer = org(
        |base| {
            json(
                201,
                format!(
                    r#"{{"factorResult":"WAITING","_links":{{"poll":{{"href":"{}"}},"cancel":{{"href":"{}x"}}}}}}"#,
                    link(base),
                    link(base)
                ),
            )
        },
        |_, _| json(200, r#"{"factorResult":"SUCCESS"}"#),
    );
    let (o, _) = approve_with(answer).await;
    assert!(!o.approved, "{}", o.message);
}

#[tokio::test]
async fn a_poll_answer_naming_another_transaction_is_refused_and_the_push_withdrawn() {
    let answer = org(
        |base| json(201, waiting(base)),
        |seen, base| {
            if seen.method == "DELETE" {
                return json(204, "");
            }
            json(
                200,
                format!(
                    r#"{{"factorResult":"WAITING","_links":{{"poll":{{"href":"{}2"}}}}}}"#,
                    link(base)
                ),
            )
        },
    );
    let (o, server) = approve_with(answer).await;
    assert!(!o.approved);
    assert_eq!(o.failure_kind, FailureKind::Protocol, "{}", o.message);
    // Withdrawn before the outcome was made, and the outcome says so.
    assert_eq!(server.transaction_calls("DELETE"), 1);
    assert_eq!(o.push_withdrawn, Some(true), "{:?}", o.warnings);
}

#[tokio::test]
async fn another_user_in_the_lookup_is_refused() {
    let answer: Answer = std::sync::Arc::new(|seen: &Seen, _: &str| {
        if seen.path.starts_with("/api/v1/users/alice") {
            json(
                200,
                r#"{"id":"00uMALLORY","profile":{"login":"mallory@contoso.com"}}"#,
            )
        } else {
            json(
                200,
                r#"[{"id":"opf1","factorType":"push","provider":"OKTA","status":"ACTIVE"}]"#,
            )
        }
    });
    let (o, server) = approve_with(answer).await;
    assert!(!o.approved);
    assert_eq!(o.failure_kind, FailureKind::Protocol, "{}", o.message);
    assert_eq!(server.seen().len(), 1, "nothing after the lookup");
}

#[tokio::test]
async fn a_number_challenge_that_does_not_come_ends_it_and_withdraws_the_push() {
    let answer = org(
        |base| json(201, waiting(base)),
        |seen, _| {
            if seen.method == "DELETE" {
                json(204, "")
            } else {
                json(200, r#"{"factorResult":"SUCCESS"}"#)
            }
        },
    );
    let server = FakeOkta::start(answer).await;
    let o = approve_on(&server, r#""numberChallenge":true"#, 10).await;
    assert!(!o.approved);
    assert!(o.message.contains("numberChallenge"), "{}", o.message);
    assert_eq!(server.transaction_calls("GET"), 0);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.transaction_calls("DELETE") == 0 {
        assert!(Instant::now() < deadline, "the push was not withdrawn");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_malformed_number_challenge_ends_it_and_withdraws_the_push() {
    for answer_value in [r#""42""#, "4.2", "-1", "1000", "[42]"] {
        let v = answer_value.to_string();
        let answer = org(
            move |base| {
                json(
                    201,
                    format!(
                        r#"{{"factorResult":"WAITING","_links":{{"poll":{{"href":"{0}"}},"cancel":{{"href":"{0}"}}}},"_embedded":{{"challenge":{{"correctAnswer":{v}}}}}}}"#,
                        link(base)
                    ),
                )
            },
            |seen, _| {
                if seen.method == "DELETE" {
                    json(204, "")
                } else {
                    json(200, r#"{"factorResult":"SUCCESS"}"#)
                }
            },
        );
        let server = FakeOkta::start(answer).await;
        let o = approve_on(&server, "", 10).await;
        assert!(!o.approved, "{answer_value}: {}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Protocol, "{}", o.message);
        assert_eq!(server.transaction_calls("GET"), 0);
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.transaction_calls("DELETE") == 0 {
            assert!(
                Instant::now() < deadline,
                "{answer_value}: the push was not withdrawn"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_endless_and_dripping_answers_end_within_the_deadline() {
    let huge = format!(
        r#"{{"factorResult":"SUCCESS","x":"{}"}}"#,
        "a".repeat(5 * 1024 * 1024)
    );
    let cases: Vec<(&str, Reply)> = vec![
        ("huge", json(200, huge)),
        (
            "endless",
            Reply {
                status: 200,
                headers: vec![],
                body: Body::Endless,
            },
        ),
        (
            "drip",
            Reply {
                status: 200,
                headers: vec![],
                body: Body::Drip(
                    r#"{"factorResult":"SUCCESS"}"#.into(),
                    Duration::from_millis(400),
                ),
            },
        ),
    ];
    for (name, reply) in cases {
        // The withdraw is answered (a withdraw that is not: see the grace test below).
        let answer = org(
            |base| json(201, waiting(base)),
            move |seen, _| {
                if seen.method == "DELETE" {
                    json(204, "")
                } else {
                    reply.clone()
                }
            },
        );
        let server = FakeOkta::start(answer).await;
        let clock = Instant::now();
        let o = approve_on(&server, "", 3).await;
        assert!(!o.approved, "{name}: {}", o.message);
        assert!(
            clock.elapsed() < Duration::from_millis(4500),
            "{name}: {:?}",
            clock.elapsed()
        );
    }
}

#[tokio::test]
async fn retry_after_and_rate_limit_extremes_never_hold_past_the_deadline_nor_spin() {
    let busy = |headers: Vec<(&'static str, String)>| {
        move |seen: &Seen, _: &str| {
            if seen.method == "DELETE" {
                return json(204, "");
            }
            let mut r = json(
                429,
                r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}"#,
            );
            for (k, v) in &headers {
                r = r.header(k, v.clone());
            }
            r
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cases: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        (
            "retry-after huge",
            vec![("Retry-After", "99999999999".into())],
        ),
        ("retry-after zero", vec![("Retry-After", "0".into())]),
        ("retry-after negative", vec![("Retry-After", "-5".into())]),
        (
            "retry-after date",
            vec![("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT".into())],
        ),
        (
            "reset far",
            vec![
                ("X-Rate-Limit-Remaining", "0".into()),
                ("X-Rate-Limit-Reset", (now + 10_000_000).to_string()),
            ],
        ),
        (
            "reset past",
            vec![
                ("X-Rate-Limit-Remaining", "0".into()),
                ("X-Rate-Limit-Reset", "1".into()),
            ],
        ),
        ("none", vec![]),
    ];
    for (name, headers) in cases {
        let answer = org(|base| json(201, waiting(base)), busy(headers));
        let server = FakeOkta::start(answer).await;
        let clock = Instant::now();
        let o = approve_on(&server, "", 3).await;
        let elapsed = clock.elapsed();
        assert!(!o.approved, "{name}: {}", o.message);
        assert!(elapsed < Duration::from_millis(4000), "{name}: {elapsed:?}");
        // Whatever the holds said, the push was withdrawn at once.
        assert_eq!(o.push_withdrawn, Some(true), "{name}: {:?}", o.warnings);
        let polls = server.transaction_calls("GET");
        assert!(
            polls as f64 <= elapsed.as_secs_f64() + 1.0,
            "{name}: {polls} polls in {elapsed:?}"
        );
    }
    // A window that says "none left" on every answer holds the next call until the reset.
    let answer = org(
        |base| json(201, waiting(base)),
        move |_, _| {
            let reset = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 3;
            json(200, r#"{"factorResult":"WAITING"}"#)
                .header("X-Rate-Limit-Remaining", "0")
                .header("X-Rate-Limit-Reset", reset.to_string())
        },
    );
    let server = FakeOkta::start(answer).await;
    let o = approve_on(&server, "", 4).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    let polls = server.transaction_calls("GET");
    assert!(polls <= 2, "{polls} polls in 4 s with a 3 s reset");
}

#[tokio::test]
async fn an_echoed_token_never_reaches_the_outcome() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(TOKEN);
    let echoes = vec![
        format!("Invalid token provided: SSWS {TOKEN}"),
        format!("token {b64}"),
    ];
    for echo in echoes {
        for (status, at_poll) in [(401, false), (403, false), (400, true), (404, true)] {
            let body = format!(r#"{{"errorCode":"E0000011","errorSummary":"{echo}"}}"#);
            let b = body.clone();
            let answer = if at_poll {
                org(
                    |base| json(201, waiting(base)),
                    move |_, _| json(status, b.clone()),
                )
            } else {
                std::sync::Arc::new(move |_: &Seen, _: &str| json(status, b.clone())) as Answer
            };
            let server = FakeOkta::start(answer).await;
            let o = approve_on(&server, "", 3).await;
            assert!(!o.approved);
            let text = serde_json::to_string(&o).unwrap();
            assert!(
                !text.contains(TOKEN) && !text.contains(&b64),
                "{status}: {text}"
            );
            assert!(
                text.contains("[redacted]") || !echo.contains(TOKEN),
                "{status}: {text}"
            );
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An org whose verify answer says no call is left until a reset far away (the hold the
/// engine honours for new work), whose polls say WAITING, and whose DELETE answers `cancel`.
fn held_org(cancel: impl Fn() -> Reply + Send + Sync + 'static) -> Answer {
    let far = (unix_now() + 10_000_000).to_string();
    org(
        move |base| {
            json(201, waiting(base))
                .header("X-Rate-Limit-Remaining", "0")
                .header("X-Rate-Limit-Reset", far.clone())
        },
        move |seen, _| {
            if seen.method == "DELETE" {
                cancel()
            } else {
                json(200, r#"{"factorResult":"WAITING"}"#)
            }
        },
    )
}

fn audit_line(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("an audit line");
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[tokio::test]
async fn a_withdraw_is_sent_under_a_rate_limit_hold_and_the_outcome_says_so() {
    let server = FakeOkta::start(held_org(|| json(204, ""))).await;
    let dir = common::temp_dir("okta-withdraw-held");
    let audit = dir.join("audit.jsonl");
    let extra = format!(
        r#""auditPath":{}"#,
        serde_json::to_string(&audit.display().to_string()).unwrap()
    );
    let clock = Instant::now();
    let o = approve_on(&server, &extra, 2).await;
    let elapsed = clock.elapsed();
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert_eq!(
        server.transaction_calls("GET"),
        0,
        "the hold kept the polls back (new work)"
    );
    assert_eq!(
        server.transaction_calls("DELETE"),
        1,
        "the withdraw did not wait behind the hold"
    );
    assert_eq!(o.push_withdrawn, Some(true), "{:?}", o.warnings);
    assert_eq!(o.approvers[0].push_withdrawn, Some(true));
    assert!(elapsed < Duration::from_millis(3500), "{elapsed:?}");
    let line = audit_line(&audit);
    assert_eq!(line["pushWithdrawn"], true, "{line}");
    assert_eq!(line["approvers"][0]["pushWithdrawn"], true, "{line}");
}

#[tokio::test]
async fn a_withdraw_the_server_refuses_is_reported_not_withdrawn() {
    let refuse = || {
        json(
            403,
            r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#,
        )
    };
    let server = FakeOkta::start(held_org(refuse)).await;
    let dir = common::temp_dir("okta-withdraw-refused");
    let audit = dir.join("audit.jsonl");
    let extra = format!(
        r#""auditPath":{}"#,
        serde_json::to_string(&audit.display().to_string()).unwrap()
    );
    let o = approve_on(&server, &extra, 2).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert!(server.transaction_calls("DELETE") >= 1);
    assert_eq!(o.push_withdrawn, Some(false));
    assert_eq!(o.approvers[0].push_withdrawn, Some(false));
    let warning = o.warnings.join(" | ");
    assert!(
        warning.contains("could not be withdrawn") && warning.contains("HTTP 403"),
        "{warning}"
    );
    assert!(warning.contains("alice@contoso.com"), "{warning}");
    let line = audit_line(&audit);
    assert_eq!(line["pushWithdrawn"], false, "{line}");
    assert_eq!(line["approvers"][0]["pushWithdrawn"], false, "{line}");
}

#[tokio::test]
async fn a_server_that_never_answers_the_withdraw_ends_the_request_within_the_grace() {
    let never = || Reply {
        status: 204,
        headers: vec![],
        body: Body::Never,
    };
    let server = FakeOkta::start(held_org(never)).await;
    let clock = Instant::now();
    let o = approve_on(&server, "", 2).await;
    let elapsed = clock.elapsed();
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert_eq!(server.transaction_calls("DELETE"), 1);
    assert_eq!(o.push_withdrawn, Some(false));
    assert!(
        o.warnings.join(" ").contains("within 3 s"),
        "{:?}",
        o.warnings
    );
    // The deadline (2 s) plus the grace (3 s), and no more.
    assert!(elapsed >= Duration::from_secs(4), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(5800), "{elapsed:?}");
}

#[tokio::test]
async fn hex_and_other_spellings_of_the_token_in_a_400_never_reach_the_outcome() {
    let hex: String = TOKEN.bytes().map(|b| format!("{b:02x}")).collect();
    let hex_colons: Vec<String> = TOKEN.bytes().map(|b| format!("{b:02X}")).collect();
    let utf16: String = TOKEN.bytes().map(|b| format!("{b:02x}00")).collect();
    let escaped: String = TOKEN
        .chars()
        .map(|c| format!("\\\\u{:04x}", c as u32))
        .collect();
    for echo in [
        format!("key={hex}"),
        format!("key={}", hex_colons.join(":")),
        format!("key={utf16}"),
        format!("key={escaped}"),
        format!("{}key={hex}", "\\u0001".repeat(1000)),
    ] {
        let body = format!(r#"{{"errorCode":"E0000001","errorSummary":"{echo}"}}"#);
        let answer = org(
            |base| json(201, waiting(base)),
            move |_, _| json(400, body.clone()),
        );
        let server = FakeOkta::start(answer).await;
        let o = approve_on(&server, "", 3).await;
        assert!(!o.approved);
        let text = serde_json::to_string(&o).unwrap();
        for leaked in [TOKEN, &hex[..12], &utf16[..12], "00Zh5e", "3030"] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert!(o.message.contains("[redacted]"), "{}", o.message);
    }
}
