//! The typed result of an approval or a query, and the one rule that may approve.

use serde::Serialize;

/// The state an approval ended in. `Approved` is reachable only through
/// `Outcome::approve_as_decided`, which only the providers' decision tables call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// The provider explicitly reported a recognised "authenticated" answer.
    Approved,
    /// The user refused.
    Denied,
    /// The user reported fraud.
    FraudReported,
    /// Nobody answered in time (provider timeout, HTTP timeout, or the overall deadline).
    TimedOut,
    /// Anything else: errors, unknown codes, inconsistent answers, transport problems.
    Failed,
    /// The caller cancelled.
    Cancelled,
    /// A query (not an approval) finished; see [`Outcome::data`].
    Completed,
}

impl Status {
    /// Every status, in ABI number order.
    pub const ALL: &'static [Status] = &[
        Status::Approved,
        Status::Denied,
        Status::FraudReported,
        Status::TimedOut,
        Status::Failed,
        Status::Cancelled,
        Status::Completed,
    ];

    /// The status's name in the outcome JSON (`status`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Approved => "Approved",
            Status::Denied => "Denied",
            Status::FraudReported => "FraudReported",
            Status::TimedOut => "TimedOut",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
            Status::Completed => "Completed",
        }
    }

    /// The stable number of this status in the C ABI (`MFA_STATUS_*`).
    pub fn abi_number(self) -> u32 {
        match self {
            Status::Approved => 1,
            Status::Denied => 2,
            Status::FraudReported => 3,
            Status::TimedOut => 4,
            Status::Failed => 5,
            Status::Cancelled => 6,
            Status::Completed => 7,
        }
    }
}

pub use crate::failure::FailureKind;

/// A code and its description, as the server sent them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeAndDescription {
    /// The numeric code.
    pub code: i32,
    /// The SDK's symbolic name for CallResult codes the table knows (empty otherwise).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub name: String,
    /// The description the server sent (or the table's, when the server sent none).
    pub description: String,
}

/// The typed result of one approval or query.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The final state.
    pub status: Status,
    /// `true` exactly when `status` is [`Status::Approved`].
    pub approved: bool,
    /// The operation (`authenticate`, `testSecurity`, ...).
    pub operation: String,
    /// The provider that answered (`mfaserver`).
    pub provider: String,
    /// The user the request was for (empty for `testSecurity`).
    pub user_name: String,
    /// The `<Op>Result` boolean, when the server sent one.
    pub result: Option<bool>,
    /// The CallResult, when the server sent one.
    pub call_result: Option<CodeAndDescription>,
    /// The Error, when the server sent a non-empty one.
    pub error: Option<CodeAndDescription>,
    /// The server's authenticationRequestId, when it sent one.
    pub authentication_request_id: Option<String>,
    /// What failed, or `provider` when the server's answer decided.
    pub failure_kind: FailureKind,
    /// One human sentence about the outcome (never contains a secret).
    pub message: String,
    /// `false` when the caller opted out of requireUserMatch: the server may then let users
    /// it does not know through **without MFA**.
    pub require_user_match: bool,
    /// Warnings the caller must surface (for example the requireUserMatch opt-out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Query results (`exists`, `activationCode`, `userSettings`, `message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// Milliseconds since the Unix epoch when the request started.
    pub started_at_unix_ms: u64,
    /// Milliseconds the request took.
    pub elapsed_ms: u64,
    /// HTTP calls made (2 when a Basic challenge was answered).
    pub http_calls: u32,
    /// The id of this request's audit record (when the connection keeps an audit trail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<String>,
    /// Approvals: what decided it (`any`, `all` or a number of approvals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require: Option<String>,
    /// Approvals: how many approvals were needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<u32>,
    /// Approvals: the approver whose answer decided the outcome (absent when no answer
    /// did, e.g. a cancel by the host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// Approvals: each approver's answer, in the order they were named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<ApproverOutcome>,
    /// Approvals: how people were told apart: `provider` (by the identity the provider
    /// resolved: Okta user id, Duo devices, MFA Server phones) or `names` (by names alone:
    /// a provider that cannot resolve, with `allowNameOnlyIdentity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_check: Option<&'static str>,
    /// This approver's identity as the provider resolved it (shown per approver, in
    /// `approvers[i].identity`; see [`crate::identity`]).
    #[serde(skip)]
    pub identity: Option<String>,
    /// Whether a push left waiting was withdrawn (ABI 5): `true`, `false` (it may still be on
    /// a phone), `None` when nothing needed withdrawing (or the provider cannot withdraw).
    /// With several approvers: `false` if any is, else `true` if any is.
    pub push_withdrawn: Option<bool>,
    /// Set only where the engine decides an approval (a provider's decision table: MFA
    /// Server's `mfaserver::decide`, and each JSON provider's own `decide`): an outcome saying
    /// Approved without it is never counted.
    #[serde(skip)]
    engine_decided: bool,
}

/// One approver's answer inside an approval's outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApproverOutcome {
    /// The approver, as named in the request.
    pub user_name: String,
    /// The approver's own final state (`Cancelled` when the request was decided first).
    pub status: Status,
    /// `true` exactly when this approver's approval was counted.
    pub approved: bool,
    /// What failed, or `provider` when the answer decided.
    pub failure_kind: FailureKind,
    /// One sentence about this answer (never contains a secret).
    pub message: String,
    /// The `<Op>Result` boolean, when the server sent one.
    pub result: Option<bool>,
    /// The CallResult, when the server sent one.
    pub call_result: Option<CodeAndDescription>,
    /// The Error, when the server sent a non-empty one.
    pub error: Option<CodeAndDescription>,
    /// The provider's request id, when it sent one.
    pub authentication_request_id: Option<String>,
    /// Milliseconds from the start of the request to this answer.
    pub elapsed_ms: u64,
    /// HTTP calls made for this approver.
    pub http_calls: u32,
    /// Who the provider resolved this approver to (an Okta user id, Duo device ids, MFA
    /// Server phones masked but for their last 4 digits); `null` when it did not resolve.
    pub identity: Option<String>,
    /// Whether this approver's push, left waiting, was withdrawn (ABI 5; see
    /// [`Outcome::push_withdrawn`]).
    pub push_withdrawn: Option<bool>,
}

impl ApproverOutcome {
    /// The summary of one approver's outcome.
    pub fn of(o: &Outcome) -> Self {
        Self {
            user_name: o.user_name.clone(),
            status: o.status,
            approved: o.is_engine_approval(),
            failure_kind: o.failure_kind,
            message: o.message.clone(),
            result: o.result,
            call_result: o.call_result.clone(),
            error: o.error.clone(),
            authentication_request_id: o.authentication_request_id.clone(),
            elapsed_ms: o.elapsed_ms,
            http_calls: o.http_calls,
            identity: o.identity.clone(),
            push_withdrawn: o.push_withdrawn,
        }
    }
}

impl Outcome {
    /// A not-yet-decided outcome (status `Failed`) for `operation` on `user_name`.
    pub fn new(operation: &str, provider: &str, user_name: &str, require_user_match: bool) -> Self {
        let mut warnings = Vec::new();
        if !require_user_match && operation == "authenticate" {
            warnings.push(REQUIRE_USER_MATCH_WARNING.to_string());
        }
        Outcome {
            status: Status::Failed,
            approved: false,
            operation: operation.into(),
            provider: provider.into(),
            user_name: user_name.into(),
            result: None,
            call_result: None,
            error: None,
            authentication_request_id: None,
            failure_kind: FailureKind::Provider,
            message: String::new(),
            require_user_match,
            warnings,
            data: None,
            started_at_unix_ms: 0,
            elapsed_ms: 0,
            http_calls: 0,
            audit_id: None,
            require: None,
            needed: None,
            decided_by: None,
            approvers: Vec::new(),
            identity_check: None,
            identity: None,
            push_withdrawn: None,
            engine_decided: false,
        }
    }

    /// An approval the engine decided: status Approved, approved, and decided here.
    pub fn is_engine_approval(&self) -> bool {
        self.status == Status::Approved && self.approved && self.engine_decided
    }

    /// Marks this outcome Approved; only the engine's decision tables call it.
    pub(crate) fn approve_as_decided(&mut self) {
        self.status = Status::Approved;
        self.approved = true;
        self.failure_kind = FailureKind::Provider;
        self.engine_decided = true;
    }

    /// Sets a non-approving final state with its reason.
    pub fn fail(mut self, status: Status, kind: FailureKind, message: impl Into<String>) -> Self {
        self.set_failed(status, kind, message);
        self
    }

    /// [`Outcome::fail`] in place.
    pub fn set_failed(&mut self, status: Status, kind: FailureKind, message: impl Into<String>) {
        debug_assert!(status != Status::Approved);
        self.status = if status == Status::Approved {
            Status::Failed
        } else {
            status
        };
        self.approved = false;
        self.engine_decided = false;
        self.failure_kind = kind;
        self.message = message.into();
        if matches!(self.status, Status::Failed | Status::TimedOut) {
            self.message =
                crate::next_step::annotate(std::mem::take(&mut self.message), kind, &self.provider);
        }
    }

    /// Replaces every secret `redactor` knows in every string of the outcome.
    pub fn scrub(&mut self, redactor: &crate::redact::Redactor) {
        fn json(v: &mut serde_json::Value, r: &crate::redact::Redactor) {
            match v {
                serde_json::Value::String(s) => *s = r.scrub(s),
                serde_json::Value::Array(a) => a.iter_mut().for_each(|v| json(v, r)),
                serde_json::Value::Object(o) => o.values_mut().for_each(|v| json(v, r)),
                _ => {}
            }
        }
        self.message = redactor.scrub(&self.message);
        for pair in [&mut self.call_result, &mut self.error]
            .into_iter()
            .flatten()
        {
            pair.description = redactor.scrub(&pair.description);
        }
        if let Some(id) = &mut self.authentication_request_id {
            *id = redactor.scrub(id);
        }
        for w in &mut self.warnings {
            *w = redactor.scrub(w);
        }
        for a in &mut self.approvers {
            a.message = redactor.scrub(&a.message);
            for pair in [&mut a.call_result, &mut a.error].into_iter().flatten() {
                pair.description = redactor.scrub(&pair.description);
            }
            if let Some(id) = &mut a.authentication_request_id {
                *id = redactor.scrub(id);
            }
            if let Some(who) = &mut a.identity {
                *who = redactor.scrub(who);
            }
        }
        if let Some(d) = &mut self.data {
            json(d, redactor);
        }
    }
}

/// The warning every outcome carries when requireUserMatch is off.
pub const REQUIRE_USER_MATCH_WARNING: &str =
    "requireUserMatch is OFF: the MFA server lets users it does not know through WITHOUT any MFA";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_numbers_never_change() {
        let all = [
            (Status::Approved, 1),
            (Status::Denied, 2),
            (Status::FraudReported, 3),
            (Status::TimedOut, 4),
            (Status::Failed, 5),
            (Status::Cancelled, 6),
            (Status::Completed, 7),
        ];
        for (s, n) in all {
            assert_eq!(s.abi_number(), n);
        }
    }

    #[test]
    fn failure_kinds_have_camel_case_names() {
        let names: Vec<String> = FailureKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names[4], "certificatePin");
        assert_eq!(names.len(), 16);
        assert_eq!(names[13], "proxy");
        assert_eq!(names[14], "challenge");
        assert_eq!(names[15], "identity");
        assert!(names.iter().all(|n| !n.is_empty()));
    }
}
