//! The privacyIDEA demo users (realm `contoso`) and what their phones do. A name is found by
//! its login (`alice`) or its user principal name (`alice@contoso.com`), in any case, as an
//! Active Directory resolver whose login attributes are `sAMAccountName` and
//! `userPrincipalName` finds it: both are the same privacyIDEA user. A user scripted in the
//! simulator's directory (a file, or `Start-MfaSimulator -User`) is a privacyIDEA user too, in
//! place of a demo user with that login ([`scripted`]).

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

/// A user scripted in the simulator's directory (a file, or `Start-MfaSimulator -User`) with
/// an answer every provider gives, as privacyIDEA has them: the phone accepts after the
/// delay, declines after it (deny; fraud too: privacyIDEA's "I did not trigger this" is a
/// decline), or never answers (no response). The login is the user name without
/// `@contoso.com` (the demo users' domain), else the whole name, in lower case; a push token
/// of their own; a stable id from the name. `None` for the MFA Server faults.
pub fn scripted(u: &crate::directory::User) -> Option<User> {
    use crate::directory::Answer;
    use sha2::{Digest, Sha256};
    let phone = match u.answer {
        Answer::Approve => Phone::Approve(u.delay()),
        Answer::Deny | Answer::Fraud => Phone::Decline(u.delay()),
        Answer::NoResponse => Phone::Ignore,
        _ => return None,
    };
    let name = u.user_name.trim().to_lowercase();
    let d = Sha256::digest(name.as_bytes());
    // Past the demo users' ids (1001...), below a million.
    let id = 100_000 + u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 900_000;
    Some(User {
        login: name
            .strip_suffix("@contoso.com")
            .unwrap_or(&name)
            .to_owned(),
        user_id: id.to_string(),
        serial: Some(format!("PIPU{id:08X}")),
        phone,
        fault: Fault::None,
    })
}

/// The scripted user `name` names (its user name, or its login in the `contoso` realm:
/// `zed` for `zed@contoso.com`), if any.
pub fn scripted_named(name: &str, directory: &crate::directory::Directory) -> Option<User> {
    let name = name.trim();
    let u = directory.scripted(name).or_else(|| {
        (!name.contains('@'))
            .then(|| directory.scripted(&format!("{name}@contoso.com")))
            .flatten()
    })?;
    scripted(&u)
}

/// Every user privacyIDEA knows: the scripted users, then the demo users none of them
/// replaces.
pub fn everyone(directory: &crate::directory::Directory) -> Vec<User> {
    let mut all: Vec<User> = directory
        .scripted_names()
        .iter()
        .filter_map(|n| scripted_named(n, directory))
        .collect();
    for demo in LOGINS.iter().filter_map(|l| find(l)) {
        if !all.iter().any(|u| u.login == demo.login) {
            all.push(demo);
        }
    }
    all
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

    #[test]
    fn a_scripted_user_replaces_a_demo_user_and_is_found_by_login_or_name() {
        let d = crate::directory::Directory::demo()
            .apply(br#"{"users":[{"userName":"Alice@contoso.com","answer":"deny","delaySeconds":0},{"userName":"zed@fabrikam.com","answer":"noResponse"},{"userName":"f@contoso.com","answer":"soapFault"}]}"#)
            .unwrap();
        let alice = scripted_named("alice", &d).unwrap();
        assert_eq!(scripted_named("ALICE@contoso.com", &d).unwrap(), alice);
        assert_eq!(alice.login, "alice");
        assert_eq!(alice.phone, Phone::Decline(Duration::ZERO));
        assert_ne!(alice.serial, find("alice").unwrap().serial);
        let zed = scripted_named("zed@fabrikam.com", &d).unwrap();
        assert_eq!(
            (zed.login.as_str(), zed.phone),
            ("zed@fabrikam.com", Phone::Ignore)
        );
        assert!(
            scripted_named("zed", &d).is_none(),
            "not in the contoso domain"
        );
        assert!(
            scripted_named("f@contoso.com", &d).is_none(),
            "an MFA Server fault"
        );
        assert!(
            scripted_named("bob", &d).is_none(),
            "a demo user stays a demo user"
        );
        let all = everyone(&d);
        assert_eq!(all.iter().filter(|u| u.login == "alice").count(), 1);
        assert!(all.contains(&alice) && all.contains(&zed));
        assert_eq!(all.len(), LOGINS.len() + 1);
    }
}
