//! The Okta demo users and what each push does. The same names as the MFA Server and Duo
//! demo users do the same things, plus the answers only Okta has.

use std::time::Duration;

/// A user's push factor and what happens after a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// The user's Okta id (`00u...`).
    pub id: String,
    /// The login (`profile.login`).
    pub login: String,
    /// Has an active Okta Verify push factor (else only an SMS factor).
    pub push: bool,
    /// Always answers verify with a number challenge (an org policy that requires it).
    pub always_number: bool,
    /// The `factorResult` each poll reports after a delay from the push.
    pub steps: Vec<(Duration, &'static str)>,
    /// Answer the user lookup 429 this many times first (`X-Rate-Limit-Remaining: 0`).
    pub busy: u32,
    /// Every answer about this user's transaction says no call is left in the window,
    /// resetting in 2 s.
    pub throttled: bool,
}

/// The scripted behaviour of `login` (`no_response_after`: when an unanswered push
/// expires). `None`: Okta does not know the user.
pub fn behaviour(login: &str, no_response_after: Duration) -> Option<Behaviour> {
    let one = Duration::from_secs(1);
    let waiting = (Duration::ZERO, "WAITING");
    let login = login.to_ascii_lowercase();
    let (local, domain) = login.split_once('@')?;
    let mut b = Behaviour {
        id: format!("00u{}", id_of(&login)),
        login: login.clone(),
        push: true,
        always_number: false,
        steps: vec![waiting, (one, "SUCCESS")],
        busy: 0,
        throttled: false,
    };
    match (local, domain) {
        ("alice", "contoso.com") => {}
        ("bob", "contoso.com") | ("mallory", "contoso.com") => {
            // Okta Verify's "No, it's not me" is REJECTED in the Factors API too.
            b.steps = vec![waiting, (one, "REJECTED")]
        }
        ("carol", "contoso.com") => b.steps = vec![waiting, (no_response_after, "TIMEOUT")],
        ("victor", "contoso.com") => {
            b.always_number = true;
            b.steps = vec![waiting, (Duration::from_millis(1500), "SUCCESS")];
        }
        ("instant", "contoso.com") => b.steps = vec![(Duration::ZERO, "SUCCESS")],
        ("dave", "contoso.com") => b.push = false,
        ("error", "faults.contoso.com") => b.steps = vec![waiting, (one, "ERROR")],
        ("ratelimited", "faults.contoso.com") => b.busy = 2,
        ("throttled", "faults.contoso.com") => {
            b.throttled = true;
            b.steps = vec![waiting, (Duration::from_secs(3), "SUCCESS")];
        }
        _ => return None,
    }
    Some(b)
}

/// A stable 17-character id from the login (letters and digits).
fn id_of(login: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    Sha256::digest(login.as_bytes())
        .iter()
        .take(17)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Every demo login (to find a user by id).
pub const LOGINS: &[&str] = &[
    "alice@contoso.com",
    "bob@contoso.com",
    "carol@contoso.com",
    "mallory@contoso.com",
    "victor@contoso.com",
    "instant@contoso.com",
    "dave@contoso.com",
    "error@faults.contoso.com",
    "ratelimited@faults.contoso.com",
    "throttled@faults.contoso.com",
];

/// What a directory user (one Okta has no script for) does in Okta: its MFA Server answer
/// as a push (`approve`, `deny`, `fraud`, `noResponse`); `None` for the SOAP faults (Okta
/// does not know them).
pub fn from_directory(
    u: &crate::directory::User,
    no_response_after: Duration,
) -> Option<Behaviour> {
    use crate::directory::Answer;
    let login = u.user_name.to_ascii_lowercase();
    let last = match u.answer {
        Answer::Approve => (u.delay(), "SUCCESS"),
        Answer::Deny | Answer::Fraud => (u.delay(), "REJECTED"),
        Answer::NoResponse => (no_response_after, "TIMEOUT"),
        _ => return None,
    };
    Some(Behaviour {
        id: format!("00u{}", id_of(&login)),
        login,
        push: true,
        always_number: false,
        steps: vec![(Duration::ZERO, "WAITING"), last],
        busy: 0,
        throttled: false,
    })
}
