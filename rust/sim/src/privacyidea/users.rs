//! The privacyIDEA demo users (realm `contoso`) and what their phones do. A name is found by
//! its login (`alice`) or its user principal name (`alice@contoso.com`), in any case, as an
//! Active Directory resolver whose login attributes are `sAMAccountName` and
//! `userPrincipalName` finds it: both are the same privacyIDEA user.

use std::time::Duration;

/// The realm the demo users are in.
pub const REALM: &str = "contoso";
/// The resolver (user store) that holds them.
pub const RESOLVER: &str = "contoso-users";

/// What a user's phone does with a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phone {
    /// Accepts after the delay.
    Approve(Duration),
    /// Declines after the delay (`challenge_status: declined`).
    Decline(Duration),
    /// Never answers (the challenge stays `pending`).
    Ignore,
    /// Asks the asker to show an option (`push_require_presence`), and the person picks the
    /// one shown after the delay.
    Presence(Duration),
    /// Asks the person to type a code shown on the phone into the asker (`push_code_to_phone`).
    CodeToPhone,
}

/// A forged or odd answer a fault user gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None: privacyIDEA's own answers.
    None,
    /// The final check repeats `value` (false, then true).
    DuplicateValue,
    /// The final check says `"value": "true"` (a string).
    StringValue,
    /// The poll says `accept`, but the final check says REJECT.
    PollOnlyAccept,
    /// The final check's ACCEPT is followed by a second document.
    SecondDocument,
    /// The final check's ACCEPT names another token's serial.
    OtherSerial,
    /// The answers carry no signature.
    Unsigned,
    /// The final check's ACCEPT is signed, then changed.
    Tampered,
    /// Approves after 3 s, every poll answered at once (the engine's pace is what spaces them).
    Eager,
}

/// A demo user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The login (`alice`).
    pub login: String,
    /// The id in its resolver.
    pub user_id: String,
    /// The push token's serial; `None`: the user has no push token.
    pub serial: Option<String>,
    /// What the phone does.
    pub phone: Phone,
    /// A forged answer, for the fault users.
    pub fault: Fault,
}

/// The user `name` is (login or UPN, any case); `None`: privacyIDEA does not know it.
pub fn find(name: &str) -> Option<User> {
    let lower = name.trim().to_ascii_lowercase();
    let (login, domain) = match lower.split_once('@') {
        Some((l, d)) => (l.to_owned(), Some(d.to_owned())),
        None => (lower.clone(), None),
    };
    let second = Duration::from_secs(1);
    let (phone, fault, faults_domain) = match login.as_str() {
        "alice" => (Phone::Approve(second), Fault::None, false),
        "erin" => (
            Phone::Approve(Duration::from_millis(500)),
            Fault::None,
            false,
        ),
        "instant" => (Phone::Approve(Duration::ZERO), Fault::None, false),
        "bob" => (Phone::Decline(second), Fault::None, false),
        // "I did not trigger this": privacyIDEA's nearest thing to a fraud report, reported
        // as `declined` like any decline.
        "mallory" => (Phone::Decline(second), Fault::None, false),
        "carol" => (Phone::Ignore, Fault::None, false),
        "victor" => (
            Phone::Presence(Duration::from_millis(1500)),
            Fault::None,
            false,
        ),
        "dave" => (Phone::Ignore, Fault::None, false),
        "codetophone" => (Phone::CodeToPhone, Fault::None, true),
        "duplicated" => (Phone::Approve(Duration::ZERO), Fault::DuplicateValue, true),
        "stringly" => (Phone::Approve(Duration::ZERO), Fault::StringValue, true),
        "pollonly" => (Phone::Approve(Duration::ZERO), Fault::PollOnlyAccept, true),
        "second" => (Phone::Approve(Duration::ZERO), Fault::SecondDocument, true),
        "otherserial" => (Phone::Approve(Duration::ZERO), Fault::OtherSerial, true),
        "unsigned" => (Phone::Approve(Duration::ZERO), Fault::Unsigned, true),
        "tampered" => (Phone::Approve(Duration::ZERO), Fault::Tampered, true),
        "eager" => (Phone::Approve(Duration::from_secs(3)), Fault::Eager, true),
        _ => return None,
    };
    match (domain.as_deref(), faults_domain) {
        (None, _) => {}
        (Some("contoso.com"), false) | (Some("faults.contoso.com"), true) => {}
        _ => return None,
    }
    let index = LOGINS.iter().position(|l| *l == login).unwrap_or(0);
    Some(User {
        serial: (login != "dave").then(|| format!("PIPU{:08X}", 0x1000 + index)),
        user_id: (1001 + index).to_string(),
        login,
        phone,
        fault,
    })
}

/// Every demo login (their ids and serials follow this order).
pub const LOGINS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "mallory",
    "victor",
    "instant",
    "codetophone",
    "duplicated",
    "stringly",
    "pollonly",
    "second",
    "otherserial",
    "unsigned",
    "tampered",
    "eager",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_and_its_upn_are_one_user() {
        let a = find("alice").unwrap();
        assert_eq!(find("ALICE@contoso.com").unwrap(), a);
        assert_eq!(a.user_id, "1001");
        assert!(find("alice@fabrikam.com").is_none());
        assert!(find("duplicated@contoso.com").is_none());
        assert_eq!(
            find("duplicated@faults.contoso.com").unwrap().fault,
            Fault::DuplicateValue
        );
        assert_eq!(find("dave").unwrap().serial, None);
        assert!(find("nobody").is_none());
        let mut serials: Vec<_> = LOGINS
            .iter()
            .filter_map(|l| find(l).unwrap().serial)
            .collect();
        serials.dedup();
        assert_eq!(serials.len(), LOGINS.len() - 1);
    }
}
