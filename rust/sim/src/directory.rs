//! The scripted user directory: who exists, how each user answers a push, how long
//! they take, and faults to inject.
//!
//! Built-in demo users (no configuration needed):
//!
//! | user | answer |
//! |---|---|
//! | `alice@contoso.com` | approves after about 1 s (`true`, CallResult 21) |
//! | `bob@contoso.com` | denies after about 1 s (CallResult 129) |
//! | `carol@contoso.com` | never answers: CallResult 133 after the no-response delay (default 55 s) |
//! | `mallory@contoso.com` | reports fraud (132) and is blocked (14) afterwards |
//!
//! plus one user per injected fault (`<mode>@faults.contoso.com`, see [`crate::faults`]).
//!
//! A JSON file replaces or extends it:
//! `{"replace": false, "users": [{"userName": "dave@contoso.com", "answer": "approve",
//! "delaySeconds": 2, "phoneAppActivated": true}]}` (`mfa-sim --directory FILE`, or
//! `--directory -` for one line of JSON on standard input, as `Start-MfaSimulator -User`
//! sends it).
//!
//! A user scripted that way with `approve`, `deny`, `fraud` or `noResponse` answers the
//! same on every provider the simulator serves (MFA Server, Duo, Okta, RADIUS), after
//! their `delaySeconds` ([`Directory::scripted`]); the other answers are MFA Server faults.

use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

/// How a user answers `PfAuthUser_4`/`_5`, or which fault the server injects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
    /// `true`, CallResult 21 "Mobile App Authenticated".
    Approve,
    /// `false`, CallResult 129 "Mobile App Denied".
    Deny,
    /// `false`, CallResult 132 "Fraud Reported"; the user is blocked afterwards.
    Fraud,
    /// `false`, CallResult 133 "Mobile App No Response" after the no-response delay.
    NoResponse,
    /// Answers with the given result and CallResult code (to script any row of the table).
    Code,
    /// HTTP 500 with a SOAP fault.
    SoapFault,
    /// HTTP 500 with an IIS-style HTML error page.
    HttpError,
    /// HTTP 200 with the first half of an approving SOAP body (truncated).
    #[serde(alias = "truncated")]
    Malformed,
    /// An approving answer sent one byte every 100 ms (a slow trickle that never ends
    /// in time).
    Trickle,
    /// Half an approving answer, then the connection is reset (chunked encoding, no end).
    Reset,
    /// An approving answer padded past the engine's 4 MiB limit, sent chunked (no length).
    Oversized,
    /// `<Result>` twice (`true` then `false`) with CallResult 21: ambiguous.
    DuplicateOutParameters,
    /// An approving answer in the namespace `http://www.phonefactor.com/PfWsSdk/` (a
    /// trailing slash: not the SDK's).
    WrongNamespace,
    /// HTTP 503 with an IIS-style HTML page.
    ServiceUnavailable,
    /// HTTP 429 with `Retry-After` and an HTML page.
    TooManyRequests,
    /// HTTP 200 with an HTML page (a login page of a proxy in the way).
    HtmlPage,
    /// HTTP 500 with an HTML page that echoes every request header (the credential too).
    EchoHeaders,
    /// A SOAP fault whose faultstring echoes every request header (the credential too).
    EchoFault,
}

/// One scripted user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// The user name (matched case-insensitively, as the server does).
    pub user_name: String,
    /// How the user answers.
    pub answer: Answer,
    /// Seconds before the answer (ignored by `noResponse`, which uses the server's delay).
    #[serde(default = "default_delay")]
    pub delay_seconds: f64,
    /// With `answer: code`: the `<Result>` boolean.
    #[serde(default)]
    pub result: bool,
    /// With `answer: code`: the CallResult code.
    #[serde(default)]
    pub call_result: i32,
    /// Whether the Authenticator app is activated (GetUserSettings_3).
    #[serde(default = "yes")]
    pub phone_app_activated: bool,
    /// Whether the user is enabled (GetUserSettings_3).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Whether the user starts blocked (CallResult 14).
    #[serde(default)]
    pub blocked: bool,
    /// First name (GetUserSettings_3).
    #[serde(default)]
    pub first_name: String,
    /// Last name (GetUserSettings_3).
    #[serde(default)]
    pub last_name: String,
}

fn default_delay() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

impl User {
    /// A user with defaults.
    pub fn new(user_name: &str, answer: Answer, delay_seconds: f64) -> Self {
        User {
            user_name: user_name.into(),
            answer,
            delay_seconds,
            result: false,
            call_result: 0,
            phone_app_activated: true,
            enabled: true,
            blocked: false,
            first_name: String::new(),
            last_name: String::new(),
        }
    }

    /// The answer delay.
    pub fn delay(&self) -> Duration {
        Duration::from_secs_f64(self.delay_seconds.clamp(0.0, 3600.0))
    }

    /// Whether the answer means the same on every provider (approve, deny, fraud, no
    /// response); the others are MFA Server (SOAP) faults.
    pub fn is_portable(&self) -> bool {
        matches!(
            self.answer,
            Answer::Approve | Answer::Deny | Answer::Fraud | Answer::NoResponse
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    #[serde(default)]
    replace: bool,
    users: Vec<User>,
}

/// The users, keyed by lower-cased name. Shared by all requests.
#[derive(Debug, Default)]
pub struct Directory {
    users: Mutex<HashMap<String, User>>,
    /// The users scripted by a file, standard input or [`Directory::insert`] (not the
    /// built-in demo users): they answer the same on every provider.
    scripted: Mutex<HashSet<String>>,
}

impl Directory {
    /// The built-in demo directory.
    pub fn demo() -> Self {
        let named = |u: &str, a: Answer, d: f64, first: &str, last: &str| {
            let mut user = User::new(u, a, d);
            user.first_name = first.into();
            user.last_name = last.into();
            user
        };
        Self::from_users(
            vec![
                named(
                    "alice@contoso.com",
                    Answer::Approve,
                    1.0,
                    "Alice",
                    "Approver",
                ),
                named("bob@contoso.com", Answer::Deny, 1.0, "Bob", "Denier"),
                named(
                    "carol@contoso.com",
                    Answer::NoResponse,
                    0.0,
                    "Carol",
                    "Silent",
                ),
                named(
                    "mallory@contoso.com",
                    Answer::Fraud,
                    1.0,
                    "Mallory",
                    "Fraudster",
                ),
            ]
            .into_iter()
            .chain(
                crate::faults::FAULTS
                    .iter()
                    .map(|f| User::new(f.user, f.answer.clone(), f.delay_seconds)),
            )
            .collect(),
        )
    }

    /// A directory holding exactly `users`.
    pub fn from_users(users: Vec<User>) -> Self {
        let map = users
            .into_iter()
            .map(|u| (u.user_name.to_lowercase(), u))
            .collect();
        Directory {
            users: Mutex::new(map),
            scripted: Mutex::default(),
        }
    }

    /// Applies a directory file (JSON; a leading UTF-8 BOM is allowed) on top of `self`, or instead of it with `"replace": true`.
    pub fn load(self, path: &str) -> Result<Self, String> {
        let text = std::fs::read(path).map_err(|e| format!("--directory '{path}': {e}"))?;
        self.apply(&text)
            .map_err(|e| format!("--directory '{path}': {e}"))
    }

    /// Applies a directory document (JSON bytes; a leading UTF-8 BOM is allowed, as .NET
    /// Framework writes one into a child's standard input) on top of `self`, or instead of
    /// it with `"replace": true`. Its users are scripted ([`Directory::scripted`]).
    pub fn apply(self, json: &[u8]) -> Result<Self, String> {
        // Windows PowerShell 5.1's `Set-Content -Encoding UTF8` starts the file with a BOM.
        let file: DirectoryFile =
            serde_json::from_slice(mfa_protocol::text::without_utf8_bom(json))
                .map_err(|e| e.to_string())?;
        let (mut map, mut scripted) = if file.replace {
            (HashMap::new(), HashSet::new())
        } else {
            (
                self.users.into_inner().unwrap_or_else(|p| p.into_inner()),
                self.scripted
                    .into_inner()
                    .unwrap_or_else(|p| p.into_inner()),
            )
        };
        let mut seen = HashSet::new();
        for user in file.users {
            if user.user_name.trim().is_empty() {
                return Err("a user has an empty userName".into());
            }
            let key = user.user_name.to_lowercase();
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "the user '{}' is listed twice; list each user once",
                    user.user_name
                ));
            }
            scripted.insert(key.clone());
            map.insert(key, user);
        }
        Ok(Directory {
            users: Mutex::new(map),
            scripted: Mutex::new(scripted),
        })
    }

    /// Adds or replaces a user (scripted: [`Directory::scripted`]).
    pub fn insert(&self, user: User) {
        let key = user.user_name.to_lowercase();
        self.scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone());
        self.lock().insert(key, user);
    }

    /// The user, when scripted (a file, standard input, [`Directory::insert`]) with an
    /// answer every provider gives (approve, deny, fraud, no response): Duo, Okta and
    /// RADIUS answer for them from here instead of from their built-in demo users.
    pub fn scripted(&self, name: &str) -> Option<User> {
        let key = name.to_lowercase();
        if !self
            .scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&key)
        {
            return None;
        }
        self.get(&key).filter(User::is_portable)
    }

    /// The scripted users' names (lower case), sorted.
    pub fn scripted_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// A copy of the user, if known.
    pub fn get(&self, name: &str) -> Option<User> {
        self.lock().get(&name.to_lowercase()).cloned()
    }

    /// Blocks a user (after fraud was reported).
    pub fn block(&self, name: &str) {
        if let Some(u) = self.lock().get_mut(&name.to_lowercase()) {
            u.blocked = true;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, User>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }
}
