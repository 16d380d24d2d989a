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

/// A user scripted in the simulator's directory (a file, or `Start-MfaSimulator -User`):
/// a push, then after their delay the same answer the MFA Server side gives (approve,
/// deny, fraud; no response times out after `no_response_after`).
pub fn scripted(user: &crate::User, no_response_after: Duration) -> Script {
    use crate::Answer;
    let step = match user.answer {
        Answer::Approve => (
            user.delay(),
            "allow",
            "allow",
            "Success. Logging you in...".to_string(),
        ),
        Answer::Deny => (
            user.delay(),
            "deny",
            "deny",
            "Login request denied.".to_string(),
        ),
        Answer::Fraud => (
            user.delay(),
            "deny",
            "fraud",
            "Login request reported as fraudulent.".to_string(),
        ),
        _ => (
            no_response_after,
            "deny",
            "timeout",
            "Login timed out.".to_string(),
        ),
    };
    Script {
        eager: false,
        raw: None,
        steps: vec![waiting("Pushed a login request to your device..."), step],
    }
}
