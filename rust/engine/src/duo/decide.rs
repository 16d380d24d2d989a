//! What Duo's answers mean, fail closed. Only `auth_status` `result=allow` with the push
//! status `allow` is an approval; a bypass (preauth `allow`, or status `bypass`) is one
//! only when the connection opted in, and then carries a warning. `deny` with status
//! `fraud` is FraudReported, with `timeout` TimedOut, otherwise Denied. Anything else
//! (an unknown result or status, a missing field) is Failed.

use crate::json::{JsonError, StrictValue};
use crate::outcome::{FailureKind, Status};

/// An `auth_status` `response`, read strictly: `result` must be a string; `status` and
/// `status_msg`, when present, too (any other type is refused, never read as missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStatus {
    /// `waiting`, `allow` or `deny`.
    pub result: String,
    /// `pushed`, `allow`, `deny`, `fraud`, `timeout`, `bypass` ... (empty when missing).
    pub status: String,
    /// The server's message (raw: redact before showing).
    pub status_msg: String,
}

/// Reads an `auth_status` `response` object.
pub fn read_auth_status(response: &StrictValue) -> Result<AuthStatus, JsonError> {
    Ok(AuthStatus {
        result: response.str_field("result")?.to_owned(),
        status: response.opt_str("status")?.unwrap_or_default().to_owned(),
        status_msg: response
            .opt_str("status_msg")?
            .unwrap_or_default()
            .to_owned(),
    })
}

/// What a whole `200` `auth_status` body decides, as the provider reads it: `Ok(None)`
/// while waiting, `Ok(Some(decision))` at the end, `Err` (a `protocol` failure, never a
/// decision) when the body is refused. The fuzz and property tests drive this.
pub fn auth_status_body(bytes: &[u8], allow_bypass: bool) -> Result<Option<Decision>, String> {
    let response = super::api::read_ok(bytes)?;
    let a = read_auth_status(&response).map_err(|e| e.to_string())?;
    if is_waiting(&a.result) {
        return Ok(None);
    }
    Ok(Some(auth_status(&a.result, &a.status, allow_bypass)))
}

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
