//! What privacyIDEA's answers mean, fail closed. The only approval is a final
//! `/validate/check` answer with `result.status` true, `result.value` exactly `true` and
//! `result.authentication` exactly `ACCEPT`, for a push serial of this transaction when the
//! answer names one ([`check`]); `/validate/polltransaction` saying `accept` only leads to
//! that check. A `declined` or `cancelled` challenge is a denial, `pending` goes on, and
//! anything else (an unknown status, a value of the wrong type, an answer that contradicts
//! itself) ends the request as Failed.
//!
//! [`read_answer`] is how every 2xx body is read before any of these: strictly (one
//! document, no repeated key), its signature checked when a key is pinned, its `nonce` this
//! call's, `result.status` a boolean.

use super::signature::{self, SigningKey};
use crate::json::StrictValue;

/// Why a 2xx body was not read as an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Not a usable answer (a protocol failure).
    Refused(String),
    /// privacyIDEA said `status: false` (its error code and raw message, if any).
    Error(Option<i64>, String),
}

/// Reads a 2xx body to a call that sent `nonce` (`None`: a call that cannot carry one):
/// the document, when privacyIDEA said `status: true`.
pub fn read_answer(
    bytes: &[u8],
    nonce: Option<&str>,
    key: Option<&SigningKey>,
) -> Result<StrictValue, Unread> {
    let refused = |why: String| Unread::Refused(why);
    let doc = StrictValue::parse_object(bytes).map_err(|e| refused(e.to_string()))?;
    if let Some(key) = key {
        signature::verify(key, bytes).map_err(|e| refused(e.to_string()))?;
    }
    match (doc.get("nonce"), nonce) {
        (Some(StrictValue::String(n)), Some(sent)) if n == sent => {}
        (None, _) if key.is_none() || nonce.is_none() => {}
        (None, _) => {
            return Err(refused(
                "the signed answer does not carry this call's nonce (privacyIDEA echoes it)".into(),
            ))
        }
        (Some(_), _) => {
            return Err(refused(
                "the answer carries another call's nonce (a replayed answer?)".into(),
            ))
        }
    }
    let result = doc
        .object_field("result")
        .map_err(|e| refused(e.to_string()))?;
    match result.get("status") {
        Some(StrictValue::Bool(true)) => Ok(doc),
        Some(StrictValue::Bool(false)) => {
            let (code, message) = error_of(&doc);
            Err(Unread::Error(code, message))
        }
        _ => Err(refused("'result.status' is not a boolean".into())),
    }
}

/// privacyIDEA's `result.error` (`code`, raw `message`), read leniently: it only explains.
pub fn error_of(doc: &StrictValue) -> (Option<i64>, String) {
    let error = doc.get("result").and_then(|r| r.get("error"));
    let code = error.and_then(|e| match e.get("code") {
        Some(StrictValue::Int(c)) => Some(*c),
        _ => None,
    });
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(StrictValue::as_str)
        .unwrap_or_default();
    (code, message.trim().to_owned())
}

/// A token serial as privacyIDEA writes them (`PIPU0000620C`): 1 to 64 letters, digits,
/// `-`, `_` or `.`.
pub fn is_serial(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A transaction id (privacyIDEA's are 20 digits): 1 to 64 letters or digits, so it is
/// always one URL path segment.
pub fn is_transaction_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One push challenge of a trigger answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushChallenge {
    /// The push token's serial.
    pub serial: String,
    /// What the asker must show the person (the `push_require_presence` policy): the
    /// option to pick on the phone.
    pub presence_answer: Option<String>,
    /// `client_mode`: `poll` for a push the phone answers; `interactive` when the person
    /// must type a code shown on the phone into the asker (`push_code_to_phone`).
    pub client_mode: String,
}

/// A `/validate/triggerchallenge` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// The transaction every challenge belongs to (none when nothing was triggered).
    pub transaction_id: Option<String>,
    /// The push challenges.
    pub push: Vec<PushChallenge>,
    /// Challenges of other token types (an SMS or e-mail token of the user).
    pub others: usize,
}

fn wrong(key: &'static str, expected: &'static str) -> String {
    crate::json::JsonError::WrongType { key, expected }.to_string()
}

/// Reads a trigger answer: `result.value` (the number of challenges) must be the length of
/// `detail.multi_challenge`, and every challenge must name the one transaction.
pub fn trigger(doc: &StrictValue) -> Result<Trigger, String> {
    let result = doc.object_field("result").map_err(|e| e.to_string())?;
    let count = result.i64_field("value").map_err(|e| e.to_string())?;
    let challenges = match doc.get("detail") {
        None | Some(StrictValue::Null) => &[][..],
        Some(d @ StrictValue::Object(_)) => {
            d.opt_array("multi_challenge").map_err(|e| e.to_string())?
        }
        Some(_) => return Err(wrong("detail", "object")),
    };
    if usize::try_from(count).ok() != Some(challenges.len()) {
        return Err(format!(
            "'result.value' ({count}) is not the number of challenges listed ({})",
            challenges.len()
        ));
    }
    let mut out = Trigger {
        transaction_id: None,
        push: Vec::new(),
        others: 0,
    };
    for c in challenges {
        if !matches!(c, StrictValue::Object(_)) {
            return Err(wrong("multi_challenge", "list of objects"));
        }
        let tx = c.str_field("transaction_id").map_err(|e| e.to_string())?;
        if !is_transaction_id(tx) {
            return Err("a transaction_id is not privacyIDEA's (letters and digits)".into());
        }
        match &out.transaction_id {
            None => out.transaction_id = Some(tx.to_owned()),
            Some(t) if t == tx => {}
            Some(_) => return Err("the challenges name two transactions".into()),
        }
        let kind = c.str_field("type").map_err(|e| e.to_string())?;
        if kind != "push" {
            out.others += 1;
            continue;
        }
        let serial = c.str_field("serial").map_err(|e| e.to_string())?;
        if !is_serial(serial) {
            return Err("a push token's serial is not a privacyIDEA serial".into());
        }
        let client_mode = c.str_field("client_mode").map_err(|e| e.to_string())?;
        let presence_answer = c.opt_str("presence_answer").map_err(|e| e.to_string())?;
        if let Some(p) = presence_answer {
            if p.is_empty() || p.chars().count() > 16 || p.chars().any(char::is_control) {
                return Err("a presence answer is not a short option to show".into());
            }
        }
        out.push.push(PushChallenge {
            serial: serial.to_owned(),
            presence_answer: presence_answer.map(str::to_owned),
            client_mode: client_mode.to_owned(),
        });
    }
    if let (Some(StrictValue::Object(_)), Some(tx)) = (doc.get("detail"), &out.transaction_id) {
        let detail = doc.get("detail").unwrap_or(&StrictValue::Null);
        if let Some(top) = detail
            .opt_str("transaction_id")
            .map_err(|e| e.to_string())?
        {
            if top != tx {
                return Err("'detail.transaction_id' is not the challenges' transaction".into());
            }
        }
    }
    Ok(out)
}

/// What a poll says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// `pending`: not answered (or no such open challenge: an expired or withdrawn one
    /// stays `pending`).
    Pending,
    /// `accept`: answered on the phone; the final check decides.
    Accept,
    /// `declined`: the person declined (privacyIDEA 3.14: "did not trigger it", or an app
    /// that gives no reason).
    Declined,
    /// `cancelled`: the person aborted a request they say they started.
    Cancelled,
}

/// Reads a `/validate/polltransaction` answer: `detail.challenge_status` and a `result.value`
/// that agrees with it (`true` exactly for `accept`).
pub fn poll(doc: &StrictValue) -> Result<Poll, String> {
    let result = doc.object_field("result").map_err(|e| e.to_string())?;
    let value = match result.get("value") {
        Some(StrictValue::Bool(b)) => *b,
        Some(_) => return Err(wrong("result.value", "boolean")),
        None => return Err("'result.value' is missing".into()),
    };
    let detail = doc.object_field("detail").map_err(|e| e.to_string())?;
    let status = detail
        .str_field("challenge_status")
        .map_err(|e| e.to_string())?;
    let poll = match status {
        "pending" => Poll::Pending,
        "accept" => Poll::Accept,
        "declined" => Poll::Declined,
        "cancelled" => Poll::Cancelled,
        _ => return Err("'detail.challenge_status' is not one privacyIDEA 3.14 sends".into()),
    };
    if value != (poll == Poll::Accept) {
        return Err("'result.value' contradicts 'detail.challenge_status'".into());
    }
    Ok(poll)
}

/// What the final check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `value: true`, `authentication: ACCEPT`: the approval.
    Accept,
    /// `authentication: DECLINED`: the challenge was declined on the phone.
    Declined,
    /// `authentication: REJECT` (or `CHALLENGE`): not accepted.
    Rejected,
}

/// Reads the `/validate/check` answer for the push challenges `serials`: the approval is
/// `result.value` exactly `true` with `result.authentication` exactly `ACCEPT`, and, when
/// the answer names a token (`detail.serial`), one of `serials`. Anything inconsistent is
/// refused.
pub fn check(doc: &StrictValue, serials: &[String]) -> Result<Check, String> {
    let result = doc.object_field("result").map_err(|e| e.to_string())?;
    let value = match result.get("value") {
        Some(StrictValue::Bool(b)) => *b,
        Some(_) => return Err(wrong("result.value", "boolean")),
        None => return Err("'result.value' is missing".into()),
    };
    let authentication = result
        .str_field("authentication")
        .map_err(|e| e.to_string())?;
    let verdict = match (value, authentication) {
        (true, "ACCEPT") => Check::Accept,
        (false, "DECLINED") => Check::Declined,
        (false, "REJECT" | "CHALLENGE") => Check::Rejected,
        (true, _) | (false, "ACCEPT") => {
            return Err("'result.value' contradicts 'result.authentication'".into())
        }
        (false, _) => return Err("'result.authentication' is not one privacyIDEA sends".into()),
    };
    if verdict == Check::Accept {
        let named = match doc.get("detail") {
            None | Some(StrictValue::Null) => None,
            Some(d @ StrictValue::Object(_)) => d.opt_str("serial").map_err(|e| e.to_string())?,
            Some(_) => return Err(wrong("detail", "object")),
        };
        if let Some(serial) = named {
            if !serials.iter().any(|s| s == serial) {
                return Err("the ACCEPT names another token than this transaction's push tokens (an answer for another transaction?)".into());
            }
        }
    }
    Ok(verdict)
}

/// Reads a `DELETE /token/challenges/transaction/<id>` answer (privacyIDEA 3.14,
/// `api/token.py` `cancel_challenge_api`): `result.value` is `{"status": true, "deleted": n}`;
/// the number of challenges removed (0: none was open any more). Anything else is refused.
pub fn withdrawn(doc: &StrictValue) -> Result<u64, String> {
    let result = doc.object_field("result").map_err(|e| e.to_string())?;
    let value = result.object_field("value").map_err(|e| e.to_string())?;
    match value.get("status") {
        Some(StrictValue::Bool(true)) => {}
        Some(StrictValue::Bool(false)) => return Err("'result.value.status' is false".into()),
        _ => return Err(wrong("result.value.status", "boolean")),
    }
    let deleted = value.i64_field("deleted").map_err(|e| e.to_string())?;
    u64::try_from(deleted).map_err(|_| "'result.value.deleted' is negative".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> StrictValue {
        StrictValue::parse(s.as_bytes()).unwrap()
    }

    const ALICE: &str = "PIPU0000620C";

    fn serials() -> Vec<String> {
        vec![ALICE.to_owned()]
    }

    #[test]
    fn only_value_true_with_accept_for_our_token_approves() {
        let ok = format!(
            r#"{{"detail":{{"serial":"{ALICE}"}},"result":{{"authentication":"ACCEPT","status":true,"value":true}}}}"#
        );
        assert_eq!(check(&doc(&ok), &serials()), Ok(Check::Accept));
        let no_detail = r#"{"result":{"authentication":"ACCEPT","status":true,"value":true}}"#;
        assert_eq!(check(&doc(no_detail), &serials()), Ok(Check::Accept));
        for bad in [
            r#"{"result":{"authentication":"ACCEPT","status":true,"value":"true"}}"#,
            r#"{"result":{"authentication":"ACCEPT","status":true,"value":1}}"#,
            r#"{"result":{"authentication":"ACCEPT","status":true,"value":false}}"#,
            r#"{"result":{"authentication":"accept","status":true,"value":true}}"#,
            r#"{"result":{"authentication":"ACCEPT ","status":true,"value":true}}"#,
            r#"{"result":{"authentication":"REJECT","status":true,"value":true}}"#,
            r#"{"result":{"authentication":"CHALLENGE","status":true,"value":true}}"#,
            r#"{"result":{"status":true,"value":true}}"#,
            r#"{"result":{"authentication":["ACCEPT"],"status":true,"value":true}}"#,
            r#"{"result":{"authentication":"ACCEPT","status":true}}"#,
            r#"{"detail":{"serial":"PIPU0000FFFF"},"result":{"authentication":"ACCEPT","status":true,"value":true}}"#,
            r#"{"detail":{"serial":7},"result":{"authentication":"ACCEPT","status":true,"value":true}}"#,
            r#"{"detail":[],"result":{"authentication":"ACCEPT","status":true,"value":true}}"#,
        ] {
            assert_ne!(check(&doc(bad), &serials()), Ok(Check::Accept), "{bad}");
        }
        let declined = r#"{"result":{"authentication":"DECLINED","status":true,"value":false}}"#;
        assert_eq!(check(&doc(declined), &serials()), Ok(Check::Declined));
        let reject = r#"{"result":{"authentication":"REJECT","status":true,"value":false}}"#;
        assert_eq!(check(&doc(reject), &serials()), Ok(Check::Rejected));
    }

    #[test]
    fn polls_must_agree_with_themselves() {
        let p = |v: &str, s: &str| {
            poll(&doc(&format!(
                r#"{{"detail":{{"challenge_status":"{s}"}},"result":{{"status":true,"value":{v}}}}}"#
            )))
        };
        assert_eq!(p("false", "pending"), Ok(Poll::Pending));
        assert_eq!(p("true", "accept"), Ok(Poll::Accept));
        assert_eq!(p("false", "declined"), Ok(Poll::Declined));
        assert_eq!(p("false", "cancelled"), Ok(Poll::Cancelled));
        for (v, s) in [
            ("true", "pending"),
            ("false", "accept"),
            ("true", "declined"),
            ("\"true\"", "accept"),
            ("true", "ACCEPT"),
            ("true", "accepted"),
            ("false", "expired"),
        ] {
            assert!(p(v, s).is_err(), "{v} {s}");
        }
    }

    #[test]
    fn triggers_name_one_transaction_and_count_their_challenges() {
        let one = |extra: &str| {
            format!(
                r#"{{"detail":{{"multi_challenge":[{{"client_mode":"poll","serial":"{ALICE}","transaction_id":"0123","type":"push"{extra}}}],"transaction_id":"0123"}},"result":{{"status":true,"value":1}}}}"#
            )
        };
        let t = trigger(&doc(&one(""))).unwrap();
        assert_eq!(t.transaction_id.as_deref(), Some("0123"));
        assert_eq!(t.push[0].serial, ALICE);
        assert_eq!(t.push[0].presence_answer, None);
        let t = trigger(&doc(&one(r#","presence_answer":"E""#))).unwrap();
        assert_eq!(t.push[0].presence_answer.as_deref(), Some("E"));
        let none = r#"{"detail":{"messages":[],"multi_challenge":[],"transaction_ids":[]},"result":{"status":true,"value":0}}"#;
        assert_eq!(trigger(&doc(none)).unwrap().push.len(), 0);
        for bad in [
            one(r#","presence_answer":"""#),
            one(r#","presence_answer":7"#),
            one("").replace("\"value\":1", "\"value\":2"),
            one("").replace("\"value\":1", "\"value\":\"1\""),
            one("").replace(
                "\"transaction_id\":\"0123\"},\"result\"",
                "\"transaction_id\":\"9999\"},\"result\"",
            ),
            one("").replace(
                "\"transaction_id\":\"0123\",\"type\"",
                "\"transaction_id\":\"../x\",\"type\"",
            ),
            one("").replace(ALICE, "PIPU/../x"),
        ] {
            assert!(trigger(&doc(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_withdraw_answer_counts_what_it_removed() {
        let read = |s: &str| withdrawn(&doc(s));
        assert_eq!(
            read(r#"{"result":{"status":true,"value":{"deleted":1,"status":true}}}"#),
            Ok(1)
        );
        assert_eq!(
            read(
                r#"{"result":{"status":true,"value":{"deleted":0,"status":true,"warning":"Redis"}}}"#
            ),
            Ok(0)
        );
        for bad in [
            r#"{"result":{"status":true,"value":true}}"#,
            r#"{"result":{"status":true,"value":{"deleted":1}}}"#,
            r#"{"result":{"status":true,"value":{"deleted":1,"status":false}}}"#,
            r#"{"result":{"status":true,"value":{"deleted":"1","status":true}}}"#,
            r#"{"result":{"status":true,"value":{"deleted":-1,"status":true}}}"#,
            r#"{"result":{"status":true,"value":{"deleted":1.5,"status":true}}}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
