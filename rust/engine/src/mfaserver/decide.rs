//! MFA Server's decision, beside its provider (as Duo's and Okta's are): the parts of a
//! `PfAuthUser_4/_5` answer that decide, read strictly from the SOAP response
//! ([`auth_answer`]), and the one table that turns them into a status ([`decide`]): an
//! approval only when `<Op>Result` is `true` **and** the CallResult code is in the
//! authenticated row. [`apply`] puts the decision on an outcome; `crate::outcome` keeps the
//! typed result and the one rule that may approve (`approve_as_decided`).

use crate::codes::{self, CodeClass};
use crate::outcome::{CodeAndDescription, FailureKind, Outcome, Status};
use crate::redact::{bound, Redactor};
use crate::soap::{self, SoapError};
use crate::xml::Node;

/// The answer of an authentication call, as parsed from the wire.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthAnswer {
    /// `<Op>Result`.
    pub result: Option<bool>,
    /// `callResult`.
    pub call_result: Option<(i32, String)>,
    /// `error` (absent, empty and Code=0 all mean "no error").
    pub error: Option<(i32, String)>,
    /// `authenticationRequestId`.
    pub request_id: Option<String>,
}

/// The only place an approval can come from: `<Op>Result` is `true` **and** the CallResult
/// code is in the authenticated row. Everything else maps to a non-approving status with a
/// message saying why.
pub fn decide(answer: &AuthAnswer) -> (Status, String) {
    let Some(result) = answer.result else {
        return (
            Status::Failed,
            "the response has no usable <Result> element".into(),
        );
    };
    let Some((code, desc)) = &answer.call_result else {
        let why = match &answer.error {
            Some((ecode, edesc)) => format!(
                "the server reported {}",
                crate::next_step::describe_error(*ecode, edesc)
            ),
            None => "the response has no callResult".into(),
        };
        return (Status::Failed, why);
    };
    let class = codes::classify(*code);
    let described = if desc.is_empty() {
        codes::lookup(*code).map_or(String::new(), |c| c.description.to_string())
    } else {
        desc.clone()
    };
    match (result, class) {
        (true, CodeClass::Authenticated) => (Status::Approved, format!("approved: CallResult {code} {described}")),
        (false, CodeClass::Authenticated) => (
            Status::Failed,
            format!("inconsistent answer: result false with authenticated CallResult {code}; not an approval"),
        ),
        (true, _) => (
            Status::Failed,
            format!("inconsistent answer: result true with non-authenticated CallResult {code} {described}; not an approval"),
        ),
        (false, CodeClass::Denied) => (Status::Denied, format!("denied: CallResult {code} {described}")),
        (false, CodeClass::FraudReported) => (Status::FraudReported, format!("fraud reported: CallResult {code} {described}")),
        (false, CodeClass::NoResponse) => (Status::TimedOut, format!("no answer: CallResult {code} {described}")),
        (false, CodeClass::SecondStepNeeded) => (
            Status::Failed,
            format!("CallResult {code} {described}: a second step is needed, which this product does not perform"),
        ),
        (false, CodeClass::Blocked) => (Status::Failed, match crate::next_step::call_result_next_step(*code) {
            Some(next) => format!("not possible: CallResult {code} {described}. {}{next}", crate::next_step::MARKER),
            None => format!("not possible: CallResult {code} {described}"),
        }),
        (false, CodeClass::OtherFailure) => (Status::Failed, format!("failed: CallResult {code} {described}")),
        (false, CodeClass::Unknown) => (Status::Failed, format!("unknown CallResult {code} {described}; not an approval")),
    }
}

/// Builds a [`CodeAndDescription`], filling name (and an empty description) from the table.
pub fn call_result_of(code: i32, description: &str) -> CodeAndDescription {
    let row = codes::lookup(code);
    CodeAndDescription {
        code,
        name: row.map_or("", |r| r.name).to_string(),
        description: if description.is_empty() {
            row.map_or("", |r| r.description).to_string()
        } else {
            description.to_string()
        },
    }
}

/// Applies a parsed authentication answer to `o` through [`decide`]: the only way an MFA
/// Server outcome becomes an approval ([`Outcome::approve_as_decided`]).
pub fn apply(mut o: Outcome, answer: &AuthAnswer) -> Outcome {
    let (status, message) = decide(answer);
    if status == Status::Approved {
        o.approve_as_decided();
    } else {
        o.status = status;
        o.approved = false;
        o.failure_kind = FailureKind::Provider;
    }
    o.message = message;
    o.result = answer.result;
    o.call_result = answer
        .call_result
        .as_ref()
        .map(|(c, d)| call_result_of(*c, d));
    o.error = answer.error.as_ref().map(|(c, d)| CodeAndDescription {
        code: *c,
        name: String::new(),
        description: d.clone(),
    });
    o.authentication_request_id = answer.request_id.clone();
    o
}

/// Longest `authenticationRequestId` kept (the SDK sends a GUID).
const MAX_REQUEST_ID_CHARS: usize = 64;

/// The `error` out-parameter: absent, empty and `Code=0` all mean "no error".
pub(super) fn error_of(
    response: &Node,
    redactor: &Redactor,
) -> Result<Option<CodeAndDescription>, SoapError> {
    Ok(soap::code_pair(response, "error")?
        .filter(|(code, desc)| *code != 0 || !desc.is_empty())
        .map(|(code, description)| CodeAndDescription {
            code,
            name: String::new(),
            description: redactor.server_text(&description),
        }))
}

/// The parts of a `PfAuthUser_4/_5` response that decide the outcome, read strictly:
/// each at most once, plain text values only.
pub(super) fn auth_answer(
    response: &Node,
    op: &str,
    redactor: &Redactor,
) -> Result<AuthAnswer, SoapError> {
    Ok(AuthAnswer {
        result: soap::boolean(response, &format!("{op}Result"))?,
        call_result: soap::code_pair(response, "callResult")?
            .map(|(c, d)| (c, redactor.server_text(&d))),
        error: error_of(response, redactor)?.map(|e| (e.code, e.description)),
        request_id: soap::text(response, "authenticationRequestId")?
            .filter(|s| !s.is_empty())
            .map(|s| bound(&redactor.server_text(s), MAX_REQUEST_ID_CHARS)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CALL_RESULTS;

    fn answer(result: Option<bool>, code: Option<i32>) -> AuthAnswer {
        AuthAnswer {
            result,
            call_result: code.map(|c| (c, String::new())),
            error: None,
            request_id: None,
        }
    }

    #[test]
    fn every_documented_code_maps_as_the_table_says() {
        for row in CALL_RESULTS {
            let (status, _) = decide(&answer(
                Some(row.class == CodeClass::Authenticated),
                Some(row.code),
            ));
            let expected = match row.class {
                CodeClass::Authenticated => Status::Approved,
                CodeClass::Denied => Status::Denied,
                CodeClass::FraudReported => Status::FraudReported,
                CodeClass::NoResponse => Status::TimedOut,
                _ => Status::Failed,
            };
            assert_eq!(status, expected, "code {}", row.code);
        }
        // The headline codes, spelled out.
        assert_eq!(decide(&answer(Some(true), Some(21))).0, Status::Approved);
        assert_eq!(decide(&answer(Some(false), Some(129))).0, Status::Denied);
        assert_eq!(
            decide(&answer(Some(false), Some(132))).0,
            Status::FraudReported
        );
        assert_eq!(decide(&answer(Some(false), Some(133))).0, Status::TimedOut);
        assert_eq!(decide(&answer(Some(false), Some(149))).0, Status::Failed);
    }

    #[test]
    fn true_with_any_non_authenticated_code_is_not_an_approval() {
        for row in CALL_RESULTS
            .iter()
            .filter(|r| r.class != CodeClass::Authenticated)
        {
            let (status, msg) = decide(&answer(Some(true), Some(row.code)));
            assert_eq!(status, Status::Failed, "code {}", row.code);
            assert!(msg.contains("inconsistent"), "{msg}");
        }
    }

    #[test]
    fn false_with_an_authenticated_code_is_not_an_approval() {
        for code in [1, 2, 6, 7, 8, 9, 19, 21, 23, 24, 25] {
            assert_eq!(
                decide(&answer(Some(false), Some(code))).0,
                Status::Failed,
                "code {code}"
            );
        }
    }

    #[test]
    fn unknown_codes_and_missing_parts_are_not_approvals() {
        for code in [0, -21, 10, 16, 26, 121, 151, 999, i32::MAX] {
            assert_eq!(
                decide(&answer(Some(true), Some(code))).0,
                Status::Failed,
                "true + {code}"
            );
            assert_eq!(
                decide(&answer(Some(false), Some(code))).0,
                Status::Failed,
                "false + {code}"
            );
        }
        assert_eq!(decide(&answer(None, Some(21))).0, Status::Failed);
        assert_eq!(decide(&answer(Some(true), None)).0, Status::Failed);
        assert_eq!(decide(&AuthAnswer::default()).0, Status::Failed);
        let mut with_error = answer(Some(false), None);
        with_error.error = Some((10, "USER_NOT_FOUND".into()));
        let (s, m) = decide(&with_error);
        assert_eq!(s, Status::Failed);
        assert!(m.contains("USER_NOT_FOUND"));
        assert!(m.contains("does not know this user"), "{m}");
        assert!(m.contains("Next: check the user name"), "{m}");
    }
}
