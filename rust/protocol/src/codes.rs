//! The Azure MFA Server `CallResult` table and what each code means to an approval
//! workflow (see `mfa-server-sdk.md`, "CallResult codes").
//!
//! Only the codes of the [`CodeClass::Authenticated`] row can ever become an approval,
//! and only together with `<Op>Result = true` (that rule lives in
//! the engine's `mfaserver::decide`). A code missing from this table is [`CodeClass::Unknown`].

use serde::Serialize;

/// What a CallResult code means for an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CodeClass {
    /// The user authenticated (the only class that may approve).
    Authenticated,
    /// The user refused the request.
    Denied,
    /// The user reported fraud (and is blocked by the server afterwards).
    FraudReported,
    /// Nobody answered in time.
    NoResponse,
    /// A second step (OATH code, SMS code) is needed: not an approval.
    SecondStepNeeded,
    /// The authentication was blocked or is not possible.
    Blocked,
    /// Any other failure the table names.
    OtherFailure,
    /// A code this table does not know: never an approval.
    Unknown,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The numeric code.
    pub code: i32,
    /// The SDK's symbolic name, where known.
    pub name: &'static str,
    /// The SDK's description.
    pub description: &'static str,
    /// What it means.
    pub class: CodeClass,
}

use CodeClass::*;

macro_rules! table {
    ($($code:expr, $name:expr, $desc:expr, $class:expr;)*) => {
        /// Every CallResult code named by the SDK reference, in code order.
        pub const CALL_RESULTS: &[CodeInfo] = &[$(CodeInfo { code: $code, name: $name, description: $desc, class: $class }),*];
    };
}

table! {
    1, "SUCCESS_WITH_PIN", "PIN Entered", Authenticated;
    2, "SUCCESS_NO_PIN", "Only # Entered", Authenticated;
    3, "FAILED_SHARP_NOT_PRESSED", "# Not Pressed After Entry", NoResponse;
    4, "FAILED_NO_PHONE_INPUT", "No Phone Input - Timed Out", NoResponse;
    5, "FAILED_OTHER_5", "Failure (code 5)", OtherFailure;
    6, "SUCCESS_USED_CACHE", "Used Cache", Authenticated;
    7, "SUCCESS_BYPASSED_AUTH", "Bypassed Auth", Authenticated;
    8, "SUCCESS_IP_CACHE", "IP-based cache", Authenticated;
    9, "SUCCESS_APP_CACHE", "App-based cache", Authenticated;
    12, "FAILED_OTHER_12", "Failure (code 12)", OtherFailure;
    14, "FAILED_USER_BLOCKED", "User is Blocked", Blocked;
    15, "PENDING_AUTHENTICATION", "Authentication Pending", SecondStepNeeded;
    19, "SUCCESS_SMS_AUTHENTICATED", "Text Message Authenticated", Authenticated;
    20, "PENDING_SMS_SENT", "Text Message Sent", SecondStepNeeded;
    21, "SUCCESS_PHONE_APP_AUTHENTICATED", "Mobile App Authenticated", Authenticated;
    22, "PENDING_OATH_CODE", "OATH Code Pending", SecondStepNeeded;
    23, "SUCCESS_OATH_CODE_VERIFIED", "OATH Code Verified", Authenticated;
    24, "SUCCESS_FALLBACK_OATH_CODE_VERIFIED", "Fallback OATH Code Verified", Authenticated;
    25, "SUCCESS_FALLBACK_SECURITY_QUESTIONS", "Fallback Security Questions Answered", Authenticated;
    101, "FAILED_AUTH_IN_PROGRESS", "Auth Already In Progress", Blocked;
    102, "FAILED_OTHER_102", "Failure (code 102)", OtherFailure;
    107, "FAILED_OTHER_107", "Failure (code 107)", OtherFailure;
    108, "FAILED_USER_HUNG_UP", "User Hung Up", Denied;
    111, "FAILED_OTHER_111", "Failure (code 111)", OtherFailure;
    112, "FAILED_FRAUD_CODE_ENTERED", "Fraud Code Entered", FraudReported;
    117, "FAILED_OTHER_117", "Failure (code 117)", OtherFailure;
    120, "FAILED_OTHER_120", "Failure (code 120)", OtherFailure;
    122, "FAILED_OTHER_122", "Failure (code 122)", OtherFailure;
    123, "FAILED_OTHER_123", "Failure (code 123)", OtherFailure;
    129, "FAILED_PHONE_APP_DENIED", "Mobile App Denied", Denied;
    130, "FAILED_OTHER_130", "Failure (code 130)", OtherFailure;
    131, "FAILED_OTHER_131", "Failure (code 131)", OtherFailure;
    132, "FAILED_FRAUD_REPORTED", "Fraud Reported", FraudReported;
    133, "FAILED_PHONE_APP_NO_RESPONSE", "Mobile App No Response", NoResponse;
    135, "FAILED_ALL_DEVICES_BLOCKED", "All Devices Blocked", Blocked;
    136, "FAILED_NOTIFICATION_FAILED", "Notification Failed", Blocked;
    137, "FAILED_OTHER_137", "Failure (code 137)", OtherFailure;
    138, "FAILED_OTHER_138", "Failure (code 138)", OtherFailure;
    139, "FAILED_OTHER_139", "Failure (code 139)", OtherFailure;
    140, "FAILED_OTHER_140", "Failure (code 140)", OtherFailure;
    142, "FAILED_RESULT_TIMEOUT_142", "Result Timed Out (code 142)", NoResponse;
    143, "FAILED_RESULT_TIMEOUT_143", "Result Timed Out (code 143)", NoResponse;
    144, "FAILED_RESULT_TIMEOUT_144", "Result Timed Out (code 144)", NoResponse;
    146, "FAILED_OTHER_146", "Failure (code 146)", OtherFailure;
    147, "FAILED_OTHER_147", "Failure (code 147)", OtherFailure;
    149, "FAILED_DIRECT_SDK_NOT_ALLOWED", "Direct SDK Not Allowed", Blocked;
    150, "FAILED_AUTHENTICATION_THROTTLED", "Authentication Throttled", Blocked;
}

/// Looks a code up; `None` for codes the table does not name.
pub fn lookup(code: i32) -> Option<&'static CodeInfo> {
    CALL_RESULTS
        .binary_search_by_key(&code, |c| c.code)
        .ok()
        .map(|i| &CALL_RESULTS[i])
}

/// The class of a code: [`CodeClass::Unknown`] for codes the table does not name.
pub fn classify(code: i32) -> CodeClass {
    lookup(code).map_or(Unknown, |c| c.class)
}

/// Error codes the SDK reference names (the `error` out parameter).
pub const ERROR_USER_NOT_FOUND: i32 = 10;
/// "Multi-Factor Authentication denied." (sent with CallResult 149).
pub const ERROR_MFA_DENIED: i32 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_so_lookup_finds_every_row() {
        for w in CALL_RESULTS.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        for row in CALL_RESULTS {
            assert_eq!(lookup(row.code).unwrap().code, row.code);
        }
    }

    #[test]
    fn authenticated_row_is_exactly_the_documented_one() {
        let mut auth: Vec<i32> = CALL_RESULTS
            .iter()
            .filter(|c| c.class == Authenticated)
            .map(|c| c.code)
            .collect();
        auth.sort();
        assert_eq!(auth, vec![1, 2, 6, 7, 8, 9, 19, 21, 23, 24, 25]);
    }

    #[test]
    fn unknown_codes_are_unknown() {
        for code in [
            0,
            -1,
            10,
            13,
            16,
            26,
            100,
            128,
            134,
            141,
            148,
            151,
            999,
            i32::MAX,
            i32::MIN,
        ] {
            assert_eq!(classify(code), Unknown, "code {code}");
        }
    }
}
