//! What Okta's answers mean, fail closed: only a poll answer whose `factorResult` is exactly
//! `SUCCESS` approves; `REJECTED` is a denial, `TIMEOUT` a timeout, `WAITING` goes on, and
//! everything else (`ERROR`, `FAILED`, `CANCELLED`, an unknown or misspelled value, a
//! missing or mistyped member) ends the request as Failed.

use crate::json::{JsonError, StrictValue};

/// What a `factorResult` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `WAITING`: the user has not answered yet.
    Waiting,
    /// `SUCCESS`: the user approved.
    Approved,
    /// `REJECTED`: the user refused.
    Denied,
    /// `TIMEOUT`: the push expired unanswered.
    TimedOut,
    /// Anything else.
    Failed,
}

/// The meaning of `factorResult` (exact spelling; Okta's values are upper case).
pub fn verdict(factor_result: &str) -> Verdict {
    match factor_result {
        "WAITING" => Verdict::Waiting,
        "SUCCESS" => Verdict::Approved,
        "REJECTED" => Verdict::Denied,
        "TIMEOUT" => Verdict::TimedOut,
        _ => Verdict::Failed,
    }
}

/// A poll answer read strictly: its `factorResult` and, when it names one, its
/// `_links.poll.href` (which must be the transaction polled).
pub fn poll_answer(doc: &StrictValue) -> Result<(String, Option<String>), JsonError> {
    if !matches!(doc, StrictValue::Object(_)) {
        return Err(JsonError::NotObject("the poll answer"));
    }
    let result = doc.str_field("factorResult")?.to_owned();
    Ok((result, link(doc, "poll")?))
}

/// A poll of the transaction at `poll` answered `status` with `doc`: the verdict and the
/// `factorResult` as sent, or why the answer is refused (a protocol failure). The provider's
/// exact decision path (and the differential test's).
pub fn poll_decision(
    status: u16,
    doc: &StrictValue,
    poll: &str,
) -> Result<(Verdict, String), String> {
    if status != 200 {
        return Err(format!("HTTP {status} instead of 200"));
    }
    let (result, next) = poll_answer(doc).map_err(|e| e.to_string())?;
    if next.as_deref().is_some_and(|n| n != poll) {
        return Err("the answer names another transaction to poll (refused)".into());
    }
    Ok((verdict(&result), result))
}

/// A verify answer that started a push: its poll link, its cancel link (when given) and the
/// number challenge (when given; a malformed one is refused after the push is out, so it is
/// withdrawn).
#[derive(Debug)]
pub struct Pushed {
    /// `_links.poll.href`.
    pub poll: String,
    /// `_links.cancel.href`.
    pub cancel: Option<String>,
    /// `_embedded.challenge.correctAnswer`, or why it is refused.
    pub number: Result<Option<u16>, JsonError>,
}

/// Why a verify answer started no push the provider may wait for.
#[derive(Debug)]
pub enum NotPushed {
    /// A member the decision reads is missing or mistyped.
    Unusable(JsonError),
    /// Not `201` with `factorResult` exactly `WAITING`: the status and the result sent.
    NotWaiting(u16, String),
}

/// What a verify answer (`status`, `doc`) means: a push waiting for the user, or why not.
/// The provider's exact decision path (and the fuzz target's); the links are checked
/// against the org, user and factor by the provider afterwards.
pub fn verify_answer(status: u16, doc: &StrictValue) -> Result<Pushed, NotPushed> {
    let result = doc.str_field("factorResult").map_err(NotPushed::Unusable)?;
    if status != 201 || result != "WAITING" {
        return Err(NotPushed::NotWaiting(status, result.to_owned()));
    }
    let poll = link(doc, "poll")
        .map_err(NotPushed::Unusable)?
        .ok_or(NotPushed::Unusable(JsonError::Missing("_links.poll")))?;
    let cancel = link(doc, "cancel").map_err(NotPushed::Unusable)?;
    Ok(Pushed {
        poll,
        cancel,
        number: correct_answer(doc),
    })
}

/// `_links.<name>.href`, when the answer has it (a mistyped member is refused).
pub fn link(doc: &StrictValue, name: &'static str) -> Result<Option<String>, JsonError> {
    let Some(links) = doc.get("_links") else {
        return Ok(None);
    };
    if !matches!(links, StrictValue::Object(_)) {
        return Err(JsonError::WrongType {
            key: "_links",
            expected: "object",
        });
    }
    match links.get(name) {
        None | Some(StrictValue::Null) => Ok(None),
        Some(l @ StrictValue::Object(_)) => Ok(Some(l.str_field("href")?.to_owned())),
        Some(_) => Err(JsonError::WrongType {
            key: name,
            expected: "object",
        }),
    }
}

/// `_embedded.challenge.correctAnswer` (the number the user must pick), when present: an
/// integer from 0 to 999; anything else is refused.
pub fn correct_answer(doc: &StrictValue) -> Result<Option<u16>, JsonError> {
    let Some(embedded) = doc.get("_embedded") else {
        return Ok(None);
    };
    let challenge = match embedded {
        StrictValue::Object(_) => match embedded.get("challenge") {
            None | Some(StrictValue::Null) => return Ok(None),
            Some(c @ StrictValue::Object(_)) => c,
            Some(_) => {
                return Err(JsonError::WrongType {
                    key: "challenge",
                    expected: "object",
                })
            }
        },
        _ => {
            return Err(JsonError::WrongType {
                key: "_embedded",
                expected: "object",
            })
        }
    };
    let n = challenge.i64_field("correctAnswer")?;
    u16::try_from(n)
        .ok()
        .filter(|n| *n <= 999)
        .map(Some)
        .ok_or(JsonError::WrongType {
            key: "correctAnswer",
            expected: "number from 0 to 999",
        })
}

/// The factors of a user: the id of the one active Okta Verify push factor (`None` when
/// there is none). More than one is ambiguous and refused.
pub fn push_factor(doc: &StrictValue) -> Result<Option<String>, String> {
    let StrictValue::Array(factors) = doc else {
        return Err("the factor list is not a JSON array".into());
    };
    let mut found = None;
    for f in factors {
        if !matches!(f, StrictValue::Object(_)) {
            return Err("a factor is not a JSON object".into());
        }
        let read = |key| f.opt_str(key).map_err(|e| e.to_string());
        let (kind, provider, status) = (read("factorType")?, read("provider")?, read("status")?);
        if kind == Some("push") && provider == Some("OKTA") && status == Some("ACTIVE") {
            if found.is_some() {
                return Err("the user has more than one active Okta Verify push factor; refused as ambiguous".into());
            }
            let id = f.str_field("id").map_err(|e| e.to_string())?;
            if !is_id(id) {
                return Err("the push factor's id is not an Okta id".into());
            }
            found = Some(id.to_owned());
        }
    }
    Ok(found)
}

/// An Okta object id: 1 to 64 letters and digits (`00u1a2b3c4`, `opf1a2b3c4`).
pub fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The user an answer describes: its `id`, when the answer is the user asked for (`login`
/// equal ignoring case, or the id itself was asked for).
pub fn user_id(doc: &StrictValue, asked: &str) -> Result<String, String> {
    let id = doc.str_field("id").map_err(|e| e.to_string())?;
    if !is_id(id) {
        return Err("the user's id is not an Okta id".into());
    }
    let login = match doc.get("profile") {
        Some(p @ StrictValue::Object(_)) => p.opt_str("login").map_err(|e| e.to_string())?,
        None | Some(StrictValue::Null) => None,
        Some(_) => return Err("'profile' is not a JSON object".into()),
    };
    let same = id == asked || login.is_some_and(|l| l.eq_ignore_ascii_case(asked));
    if !same {
        return Err("Okta answered with another user than the login asked for (a short name or an alias?); give the user's full Okta login".into());
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> StrictValue {
        StrictValue::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn only_the_exact_success_spelling_approves() {
        assert_eq!(verdict("SUCCESS"), Verdict::Approved);
        for other in [
            "success",
            "Success",
            "SUCCESS ",
            " SUCCESS",
            "SUCCES",
            "SUCCESS\u{200b}",
            "APPROVED",
            "ERROR",
            "FAILED",
            "CANCELLED",
            "",
        ] {
            assert_ne!(verdict(other), Verdict::Approved, "{other:?}");
        }
        assert_eq!(verdict("WAITING"), Verdict::Waiting);
        assert_eq!(verdict("REJECTED"), Verdict::Denied);
        assert_eq!(verdict("TIMEOUT"), Verdict::TimedOut);
        assert_eq!(verdict("waiting"), Verdict::Failed);
    }

    #[test]
    fn factors_pick_the_one_active_okta_push() {
        let list = parse(
            r#"[{"id":"sms1","factorType":"sms","provider":"OKTA","status":"ACTIVE"},
            {"id":"opf1","factorType":"push","provider":"OKTA","status":"PENDING_ACTIVATION"},
            {"id":"opf2","factorType":"push","provider":"OKTA","status":"ACTIVE"}]"#,
        );
        assert_eq!(push_factor(&list).unwrap().as_deref(), Some("opf2"));
        assert_eq!(
            push_factor(&parse(
                r#"[{"id":"g1","factorType":"push","provider":"GOOGLE","status":"ACTIVE"}]"#
            ))
            .unwrap(),
            None
        );
        assert!(push_factor(&parse(r#"[{"id":"a","factorType":"push","provider":"OKTA","status":"ACTIVE"},{"id":"b","factorType":"push","provider":"OKTA","status":"ACTIVE"}]"#)).is_err());
        assert!(push_factor(&parse(
            r#"[{"id":"../x","factorType":"push","provider":"OKTA","status":"ACTIVE"}]"#
        ))
        .is_err());
        assert!(push_factor(&parse(r#"[{"id":"a","factorType":1}]"#)).is_err());
        assert!(push_factor(&parse(r#"{"id":"a"}"#)).is_err());
    }

    #[test]
    fn the_user_must_be_the_one_asked_for() {
        let alice = parse(r#"{"id":"00u1","profile":{"login":"Alice@Contoso.com"}}"#);
        assert_eq!(user_id(&alice, "alice@contoso.com").unwrap(), "00u1");
        assert_eq!(user_id(&alice, "00u1").unwrap(), "00u1");
        assert!(user_id(&alice, "bob@contoso.com").is_err());
        assert!(user_id(&parse(r#"{"id":"00u/../1","profile":{"login":"a"}}"#), "a").is_err());
    }

    #[test]
    fn the_number_challenge_is_a_small_integer() {
        let with = |v: &str| {
            parse(&format!(
                r#"{{"_embedded":{{"challenge":{{"correctAnswer":{v}}}}}}}"#
            ))
        };
        assert_eq!(correct_answer(&with("42")).unwrap(), Some(42));
        for bad in ["-1", "1000", "4.2", "\"42\"", "null", "true"] {
            assert!(correct_answer(&with(bad)).is_err(), "{bad}");
        }
        assert_eq!(correct_answer(&parse("{}")).unwrap(), None);
    }
}
