//! What Duo's answers mean, fail closed. Only `auth_status` `result=allow` with the push
//! status `allow` is an approval; a bypass (preauth `allow`, or status `bypass`) is one
//! only when the connection opted in, and then carries a warning. `deny` with status
//! `fraud` is FraudReported, with `timeout` TimedOut, otherwise Denied. Anything else
//! (an unknown result or status, a missing field) is Failed.

use crate::outcome::{FailureKind, Status};

/// A decision: the status, the failure kind for non-approvals, and whether it was a bypass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The outcome status (`Pending` is never returned: see [`is_waiting`]).
    pub status: Status,
    /// Why it is not an approval (`Provider` for a refusal the user or policy made).
    pub kind: FailureKind,
    /// A bypass was accepted as an approval (the outcome must warn).
    pub bypassed: bool,
}

fn not(status: Status, kind: FailureKind) -> Decision {
    Decision {
        status,
        kind,
        bypassed: false,
    }
}

/// `auth_status` said `waiting`: keep polling.
pub fn is_waiting(result: &str) -> bool {
    result == "waiting"
}

/// The final `auth_status` (`result`, `status`).
pub fn auth_status(result: &str, status: &str, allow_bypass: bool) -> Decision {
    match (result, status) {
        ("allow", "allow") => Decision {
            status: Status::Approved,
            kind: FailureKind::Provider,
            bypassed: false,
        },
        ("allow", "bypass") => bypass(allow_bypass),
        ("deny", "fraud") => not(Status::FraudReported, FailureKind::Provider),
        ("deny", "timeout") => not(Status::TimedOut, FailureKind::Timeout),
        ("deny", _) => not(Status::Denied, FailureKind::Provider),
        _ => not(Status::Failed, FailureKind::Protocol),
    }
}

/// A bypass: an approval only with the opt-in.
pub fn bypass(allow_bypass: bool) -> Decision {
    if allow_bypass {
        Decision {
            status: Status::Approved,
            kind: FailureKind::Provider,
            bypassed: true,
        }
    } else {
        not(Status::Failed, FailureKind::Provider)
    }
}

/// The Verified Push code in a status message ("... enter verification code 376 ...").
pub fn verification_code(status_msg: &str) -> Option<String> {
    let lower = status_msg.to_ascii_lowercase();
    let at = lower.find("code")?;
    let digits: String = status_msg[at + 4..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    (2..=8).contains(&digits.len()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allow_allow_approves() {
        assert_eq!(
            auth_status("allow", "allow", false).status,
            Status::Approved
        );
        for (r, s) in [
            ("allow", "bypass"),
            ("allow", "pushed"),
            ("allow", ""),
            ("Allow", "allow"),
            ("allow ", "allow"),
            ("waiting", "allow"),
            ("deny", "allow"),
            ("", "allow"),
            ("ok", "allow"),
        ] {
            assert_ne!(
                auth_status(r, s, false).status,
                Status::Approved,
                "{r:?}/{s:?}"
            );
        }
        assert_eq!(
            auth_status("deny", "fraud", false).status,
            Status::FraudReported
        );
        assert_eq!(
            auth_status("deny", "timeout", false).status,
            Status::TimedOut
        );
        assert_eq!(auth_status("deny", "deny", false).status, Status::Denied);
        assert_eq!(
            auth_status("deny", "locked_out", false).status,
            Status::Denied
        );
    }

    #[test]
    fn bypass_needs_the_opt_in_and_is_marked() {
        assert_eq!(auth_status("allow", "bypass", false).status, Status::Failed);
        let d = auth_status("allow", "bypass", true);
        assert_eq!(d.status, Status::Approved);
        assert!(d.bypassed);
    }

    #[test]
    fn verification_codes_are_found() {
        assert_eq!(
            verification_code("Please enter verification code 376 into Duo Mobile..."),
            Some("376".into())
        );
        assert_eq!(
            verification_code("Pushed a login request to your device..."),
            None
        );
        assert_eq!(verification_code("code: 123456"), Some("123456".into()));
        assert_eq!(verification_code("code 1"), None);
    }
}
