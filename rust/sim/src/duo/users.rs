//! The Duo demo users and what each does, step by step. The same names as the MFA Server
//! demo users do the same things, plus the answers only Duo has.

use std::time::Duration;

/// What `preauth` answers for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preauth {
    /// `auth`: push-capable devices; the push then follows the script.
    Auth(Script),
    /// `allow`: the user bypasses 2FA.
    Allow,
    /// `deny` with this status message (locked out, disabled).
    Deny(&'static str),
    /// `enroll`: not enrolled.
    Enroll,
}

/// After a push: each step (after a delay from the push) is a `auth_status` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Answer every `auth_status` at once, even with nothing new (a broken server).
    pub eager: bool,
    /// Answer every `auth_status` with this whole body instead (a forged answer).
    pub raw: Option<&'static str>,
    /// (delay after the push, result, status, status message; a `{n}` in the message is
    /// replaced by the number of answers given, so each answer differs).
    pub steps: Vec<(Duration, &'static str, &'static str, String)>,
}

/// Rate-limit or server-error faults on `preauth`, before the user's normal answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// HTTP status to answer (429 or 503).
    pub status: u16,
    /// How many times.
    pub times: u32,
    /// `Retry-After` seconds, if any.
    pub retry_after: Option<u32>,
}

fn waiting(msg: &str) -> (Duration, &'static str, &'static str, String) {
    (Duration::ZERO, "waiting", "pushed", msg.to_string())
}

/// A push whose every `auth_status` answer is `body` (the forged answers of issue 16: a
/// duplicated key or object that a last-wins reader took for an approval).
fn forged(body: &'static str) -> (Preauth, Option<Fault>) {
    (
        Preauth::Auth(Script {
            eager: false,
            raw: Some(body),
            steps: vec![waiting("forged")],
        }),
        None,
    )
}

/// The scripted behaviour of `user` (`no_response_after`: when an unanswered push times out).
pub fn behaviour(user: &str, no_response_after: Duration) -> (Preauth, Option<Fault>) {
    let pushed = "Pushed a login request to your device...";
    let one = Duration::from_secs(1);
    let approve = Script {
        eager: false,
        raw: None,
        steps: vec![
            waiting(pushed),
            (one, "allow", "allow", "Success. Logging you in...".into()),
        ],
    };
    match user.to_ascii_lowercase().as_str() {
        "alice@contoso.com" => (Preauth::Auth(approve), None),
        "bob@contoso.com" => (
            Preauth::Auth(Script {
                eager: false,
                raw: None,
                steps: vec![
                    waiting(pushed),
                    (one, "deny", "deny", "Login request denied.".into()),
                ],
            }),
            None,
        ),
        "carol@contoso.com" => (
            Preauth::Auth(Script {
                eager: false,
                raw: None,
                steps: vec![
                    waiting(pushed),
                    (
                        no_response_after,
                        "deny",
                        "timeout",
                        "Login timed out.".into(),
                    ),
                ],
            }),
            None,
        ),
        "mallory@contoso.com" => (
            Preauth::Auth(Script {
                eager: false,
                raw: None,
                steps: vec![
                    waiting(pushed),
                    (
                        one,
                        "deny",
                        "fraud",
                        "Login request reported as fraudulent.".into(),
                    ),
                ],
            }),
            None,
        ),
        "victor@contoso.com" => (
            Preauth::Auth(Script {
                eager: false,
                raw: None,
                steps: vec![
                    waiting("Please enter verification code 376 into Duo Mobile..."),
                    (
                        Duration::from_millis(1500),
                        "allow",
                        "allow",
                        "Success. Logging you in...".into(),
                    ),
                ],
            }),
            None,
        ),
        "instant@contoso.com" => (
            Preauth::Auth(Script {
                eager: false,
                raw: None,
                steps: vec![(
                    Duration::ZERO,
                    "allow",
                    "allow",
                    "Success. Logging you in...".into(),
                )],
            }),
            None,
        ),
        "eager@faults.contoso.com" => (
            Preauth::Auth(Script {
                eager: true,
                raw: None,
                steps: vec![waiting(pushed)],
            }),
            None,
        ),
        "chatty@faults.contoso.com" => (
            Preauth::Auth(Script {
                eager: true,
                raw: None,
                steps: vec![waiting("Pushed a login request to your device ({n})...")],
            }),
            None,
        ),
        "forged-duplicate@faults.contoso.com" => forged(
            r#"{"stat":"OK","response":{"result":"deny","status":"deny","status_msg":"no","result":"allow","status":"allow"}}"#,
        ),
        "forged-stat@faults.contoso.com" => forged(
            r#"{"stat":"FAIL","response":{"result":"allow","status":"allow","status_msg":"yes"},"stat":"OK"}"#,
        ),
        "forged-response@faults.contoso.com" => forged(
            r#"{"stat":"OK","response":{"result":"deny","status":"deny","status_msg":"no"},"response":{"result":"allow","status":"allow","status_msg":"yes"}}"#,
        ),
        "bypass@contoso.com" => (Preauth::Allow, None),
        "locked@contoso.com" => (Preauth::Deny("Your account is disabled."), None),
        "ratelimited@faults.contoso.com" => (
            Preauth::Auth(approve),
            Some(Fault {
                status: 429,
                times: 2,
                retry_after: Some(1),
            }),
        ),
        "unavailable@faults.contoso.com" => (
            Preauth::Auth(approve),
            Some(Fault {
                status: 503,
                times: 1,
                retry_after: None,
            }),
        ),
        _ => (Preauth::Enroll, None),
    }
}

/// The Duo device id of a phone: `DP` and 18 letters and digits from its SHA-256 (two
/// users with one phone share one device, as on a real Duo account).
pub fn device_id(phone: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let d = Sha256::digest(phone.as_bytes());
    let tail: String = d
        .iter()
        .take(18)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("DP{tail}")
}

/// What a directory user (one Duo has no script for) does in Duo: its MFA Server answer
/// as a push (`approve`, `deny`, `fraud`, `noResponse`); `None` for the SOAP faults.
pub fn from_directory(u: &crate::directory::User, no_response_after: Duration) -> Option<Preauth> {
    use crate::directory::Answer;
    let pushed = "Pushed a login request to your device...";
    let (after, result, status, msg) = match u.answer {
        Answer::Approve => (u.delay(), "allow", "allow", "Success. Logging you in..."),
        Answer::Deny => (u.delay(), "deny", "deny", "Login request denied."),
        Answer::Fraud => (
            u.delay(),
            "deny",
            "fraud",
            "Login request reported as fraudulent.",
        ),
        Answer::NoResponse => (no_response_after, "deny", "timeout", "Login timed out."),
        _ => return None,
    };
    Some(Preauth::Auth(Script {
        eager: false,
        raw: None,
        steps: vec![waiting(pushed), (after, result, status, msg.into())],
    }))
}
