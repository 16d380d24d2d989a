//! What one request asks for: an approval (`operation: authenticate`, the default) or a query.

use crate::approvers::check_shown_text;
use crate::check::{check_seconds, ConfigError};
use serde::Deserialize;
use std::time::Duration;

/// Method override modes (`Mode3`); asking for one uses `PfAuthUser_5`.
pub const MODES: &[&str] = &["oathToken", "phoneApp", "smsText", "voiceCall"];

/// The overall deadline of a request that names none (seconds).
pub const DEFAULT_TIMEOUT_SECONDS: f64 = 120.0;

fn default_deadline() -> f64 {
    DEFAULT_TIMEOUT_SECONDS
}

/// The queries besides authentication.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    /// Push and wait (`PfAuthUser_4` / `_5`).
    Authenticate,
    /// `TestSecurity`.
    TestSecurity,
    /// `UserExists`.
    UserExists,
    /// `GetUserSettings_3`.
    GetUserSettings,
    /// `GenerateActivationCode`.
    GenerateActivationCode,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: &'static [Operation] = &[
        Operation::Authenticate,
        Operation::TestSecurity,
        Operation::UserExists,
        Operation::GetUserSettings,
        Operation::GenerateActivationCode,
    ];

    /// The operation's JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Authenticate => "authenticate",
            Operation::TestSecurity => "testSecurity",
            Operation::UserExists => "userExists",
            Operation::GetUserSettings => "getUserSettings",
            Operation::GenerateActivationCode => "generateActivationCode",
        }
    }
}

/// A query (or, with `operation: authenticate`, an approval).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Query {
    /// What to do (default `authenticate`).
    #[serde(default = "default_operation")]
    pub operation: Operation,
    /// The user (required for everything but `testSecurity`).
    #[serde(default)]
    pub user_name: Option<String>,
    /// For `authenticate`: overrides the client's `applicationName`.
    #[serde(default)]
    pub application_name: Option<String>,
    /// For `authenticate`: `initiatingIpAddress` (shown in the server's reports).
    #[serde(default)]
    pub initiating_ip_address: Option<String>,
    /// For `authenticate`: a method override (`phoneApp`, ...); uses `PfAuthUser_5`.
    #[serde(default)]
    pub mode: Option<String>,
    /// Overall deadline in seconds (default 120): past it the request is `TimedOut`.
    #[serde(default = "default_deadline")]
    pub timeout_seconds: f64,
    /// Duo: the action the push names (`type`, shown as "Verify request" + it).
    #[serde(default)]
    pub push_type: Option<String>,
    /// Duo: context shown with the push (`pushinfo`), e.g. the MIM request id.
    #[serde(default)]
    pub push_info: Option<std::collections::BTreeMap<String, String>>,
    /// Duo: the device to push to (default `auto`).
    #[serde(default)]
    pub device: Option<String>,
    /// Duo: the host name of the machine asking (`hostname`).
    #[serde(default)]
    pub hostname: Option<String>,
    /// Duo: the user name shown in the push (`display_username`).
    #[serde(default)]
    pub display_user_name: Option<String>,
    /// For `authenticate`: the approvers, distinct people (instead of `userName`, which
    /// means one approver).
    #[serde(default)]
    pub approvers: Option<Vec<String>>,
    /// For `authenticate`: how many approvals decide it: `"any"`, `"all"` or a number
    /// from 1 to the number of approvers (required with more than one approver).
    #[serde(default)]
    pub require: Option<serde_json::Value>,
    /// For `authenticate`: identities that may not approve (e.g. the requester).
    #[serde(default)]
    pub exclude_user_names: Option<Vec<String>>,
}

/// Largest encoded `pushinfo` Duo accepts (bytes).
pub const MAX_PUSH_INFO_BYTES: usize = 20_000;

fn default_operation() -> Operation {
    Operation::Authenticate
}

impl Query {
    /// Parses and validates a request JSON document (a leading UTF-8 byte order mark is allowed).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let q: Query = serde_json::from_slice(mfa_protocol::text::without_utf8_bom(bytes))
            .map_err(|e| ConfigError::new("request", format!("is not a valid request: {e}")))?;
        q.validate()?;
        Ok(q)
    }

    /// The approval fields, as [`crate::approvers::check`] reads them.
    pub fn approval_fields(&self) -> crate::approvers::Request<'_> {
        crate::approvers::Request {
            approvers: self.approvers.as_deref(),
            user_name: self.user_name.as_deref(),
            require: self.require.as_ref(),
            exclude_user_names: self.exclude_user_names.as_deref(),
        }
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let approval =
            self.approvers.is_some() || self.require.is_some() || self.exclude_user_names.is_some();
        match (&self.operation, &self.user_name) {
            (Operation::Authenticate, _) if approval => {
                crate::approvers::check(self.approval_fields())?
            }
            (Operation::TestSecurity, _) => {}
            (_, Some(u)) => crate::approvers::check_name("userName", u)?,
            (_, None) => return Err(ConfigError::new("userName", "is required")),
        }
        if approval && self.operation != Operation::Authenticate {
            return Err(ConfigError::new(
                "approvers",
                "approvers, require and excludeUserNames are only for operation authenticate",
            ));
        }
        if let Some(a) = &self.application_name {
            check_shown_text("applicationName", a, false)?;
        }
        if let Some(ip) = &self.initiating_ip_address {
            if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigError::new(
                    "initiatingIpAddress",
                    format!("'{ip}' is not an IPv4 or IPv6 address"),
                ));
            }
        }
        if let Some(m) = &self.mode {
            if !MODES.contains(&m.as_str()) {
                return Err(ConfigError::new(
                    "mode",
                    format!("'{m}' is not one of {}", MODES.join(", ")),
                ));
            }
        }
        check_seconds("timeoutSeconds", self.timeout_seconds)?;
        for (field, value) in [
            ("pushType", &self.push_type),
            ("hostname", &self.hostname),
            ("displayUserName", &self.display_user_name),
        ] {
            if let Some(v) = value {
                check_shown_text(field, v, false)?;
            }
        }
        if let Some(d) = &self.device {
            if d.is_empty() || d.len() > 64 || !d.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(ConfigError::new(
                    "device",
                    "must be auto or a Duo device id (letters and digits)",
                ));
            }
        }
        if let Some(info) = &self.push_info {
            for (k, v) in info {
                let field = format!("pushInfo.{}", crate::approvers::visible(k));
                check_shown_text(&field, k, true)?;
                check_shown_text(&field, v, false)?;
            }
            if self.push_info_encoded().len() > MAX_PUSH_INFO_BYTES {
                return Err(ConfigError::new(
                    "pushInfo",
                    format!(
                        "is longer than Duo's limit of {MAX_PUSH_INFO_BYTES} bytes once encoded"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `pushinfo` as Duo wants it: URL-encoded `k=v&k2=v2` (empty when none).
    pub fn push_info_encoded(&self) -> String {
        let pairs: Vec<(&str, &str)> = self
            .push_info
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        mfa_protocol::duo::encode_params(&pairs)
    }

    /// The overall deadline.
    pub fn deadline(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_seconds)
    }

    /// The names asked to approve: `approvers`, else `userName` (one approver).
    pub fn approver_names(&self) -> Vec<&str> {
        match &self.approvers {
            Some(a) => a.iter().map(String::as_str).collect(),
            None => self.user_name.as_deref().into_iter().collect(),
        }
    }

    /// The one-user request the provider runs for approver `name`.
    pub fn for_approver(&self, name: &str) -> Query {
        Query {
            user_name: Some(name.to_owned()),
            approvers: None,
            require: None,
            exclude_user_names: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_utf8_bom_is_allowed_and_a_second_one_refused() {
        let q = Query::from_json(b"\xEF\xBB\xBF{\"userName\":\"alice@contoso.com\"}").unwrap();
        assert_eq!(q.user_name.as_deref(), Some("alice@contoso.com"));
        let e = Query::from_json(b"\xEF\xBB\xBF\xEF\xBB\xBF{\"userName\":\"a\"}").unwrap_err();
        assert_eq!(e.field, "request");
    }

    #[test]
    fn defaults_to_authenticate_with_a_deadline() {
        let q = Query::from_json(br#"{"userName":"alice@contoso.com"}"#).unwrap();
        assert_eq!(q.operation, Operation::Authenticate);
        assert_eq!(q.deadline(), Duration::from_secs(120));
    }

    #[test]
    fn bad_requests_name_the_field() {
        let cases: &[(&str, &str)] = &[
            (r#"{}"#, "userName"),
            (r#"{"userName":""}"#, "userName"),
            (r#"{"userName":"   "}"#, "userName"),
            (r#"{"userName":"a\nb"}"#, "userName"),
            (r#"{"userName":"a","timeoutSeconds":-5}"#, "timeoutSeconds"),
            (r#"{"userName":"a","timeoutSeconds":0}"#, "timeoutSeconds"),
            (r#"{"userName":"a","mode":"carrierPigeon"}"#, "mode"),
            (
                r#"{"userName":"a","initiatingIpAddress":"999.1.1.1"}"#,
                "initiatingIpAddress",
            ),
            (r#"{"userName":"a","operation":"dropTables"}"#, "request"),
            (r#"{"userName":"a","bogus":1}"#, "request"),
        ];
        for (json, field) in cases {
            let e = Query::from_json(json.as_bytes()).unwrap_err();
            assert_eq!(&e.field, field, "{json}: {e}");
        }
        let long = format!(r#"{{"userName":"{}"}}"#, "a".repeat(257));
        assert!(Query::from_json(long.as_bytes())
            .unwrap_err()
            .problem
            .contains("257"));
        Query::from_json(br#"{"operation":"testSecurity"}"#).unwrap();
    }

    #[test]
    fn the_push_text_refuses_invisible_and_direction_changing_characters_by_field() {
        // U+202E shows "0001" as "1000" on the phone; the others hide or reorder text.
        for c in [
            '\u{202E}', '\u{200B}', '\u{200D}', '\u{2066}', '\u{061C}', '\u{FEFF}',
        ] {
            let text = format!("Pay {c}0001\u{202C} EUR");
            let code = format!("U+{:04X}", c as u32);
            let value = serde_json::Value::String(text.clone());
            let cases = [
                (
                    serde_json::json!({"userName": "a", "pushType": value}),
                    "pushType".to_string(),
                ),
                (
                    serde_json::json!({"userName": "a", "applicationName": value}),
                    "applicationName".to_string(),
                ),
                (
                    serde_json::json!({"userName": "a", "hostname": value}),
                    "hostname".to_string(),
                ),
                (
                    serde_json::json!({"userName": "a", "displayUserName": value}),
                    "displayUserName".to_string(),
                ),
                (
                    serde_json::json!({"userName": "a", "pushInfo": {"amount": value}}),
                    "pushInfo.amount".to_string(),
                ),
                (
                    serde_json::json!({"userName": "a", "pushInfo": {text.clone(): "1"}}),
                    format!("pushInfo.Pay {code}0001U+202C EUR"),
                ),
            ];
            for (json, field) in cases {
                let e = Query::from_json(json.to_string().as_bytes()).unwrap_err();
                assert_eq!(e.field, field, "{json}: {e}");
                assert!(e.problem.contains(&code), "{json}: {e}");
                assert!(
                    !e.to_string().contains(c),
                    "the raw character is echoed: {e}"
                );
            }
        }
        // Text in any script, with the symbols a reason needs, is still accepted.
        let fine = serde_json::json!({
            "userName": "a",
            "pushType": "Zahlung 1000 \u{20AC} f\u{FC}r M\u{FC}ller",
            "applicationName": "\u{062F}\u{0641}\u{0639} \u{05EA}\u{05E9}\u{05DC}\u{05D5}\u{05DD}",
            "pushInfo": {"Betrag": "1\u{00A0}000 \u{20AC}", "\u{8BF7}\u{6C42}": "\u{6279}\u{51C6}"}
        });
        Query::from_json(fine.to_string().as_bytes()).unwrap();
    }
}
