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
//! alice is also known as `asmith@contoso.com` (an alias: another name of the same user,
//! as an MFA Server resolving names by objectSID, a Duo username alias or an Okta login
//! short name would have), so the demo can show one person under two names being refused.
//!
//! Every user has a phone (`+15550100001` for alice, `…0002` bob, `…0003` mallory, `…0004`
//! carol; others made from the name): GetUserSettings_3 answers it, Duo's device for the
//! user is made from it (two users with one phone share one Duo device), and an Okta id.
//!
//! A JSON file replaces or extends it:
//! `{"replace": false, "users": [{"userName": "dave@contoso.com", "answer": "approve",
//! "delaySeconds": 2, "phoneAppActivated": true, "aliases": ["CONTOSO\\dsmith"],
//! "phone": "+15550100009", "oktaId": "00udave"}]}` (`mfa-sim --directory FILE`, or
//! `--directory -` for one line of JSON on standard input, as `Start-MfaSimulator -User`
//! sends it). Aliases and ids are matched like user names (ignoring case) by the SOAP
//! service, Duo and Okta alike.
//!
//! A user scripted that way with `approve`, `deny`, `fraud` or `noResponse` answers the
//! same on every provider the simulator serves (MFA Server, Duo, Okta, RADIUS, privacyIDEA),
//! after their `delaySeconds`, in place of a built-in demo user of that name
//! ([`Directory::scripted`]); the other answers are MFA Server faults.

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
    /// Other names of the same user (the SOAP service, Duo's preauth and auth, and Okta's
    /// user lookup answer them as this user).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The user's phone, E.164 (`+15550100001`); made from the user name when absent.
    #[serde(default)]
    pub phone: Option<String>,
    /// The user's Okta id (`00u…`, letters and digits); made from the user name when absent.
    #[serde(default)]
    pub okta_id: Option<String>,
}

/// `+` and 4 to 15 digits.
fn is_e164(p: &str) -> bool {
    p.strip_prefix('+')
        .is_some_and(|d| (4..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
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
            aliases: Vec::new(),
            phone: None,
            okta_id: None,
        }
    }

    /// The user's phone, E.164: the one given, else one made from the user name.
    pub fn phone(&self) -> String {
        self.phone
            .clone()
            .unwrap_or_else(|| phone_of(&self.user_name))
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

/// A phone number made from a name (`+1555` and 7 digits from its SHA-256): stable, and
/// different for different names but by chance.
pub fn phone_of(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(name.to_lowercase().as_bytes());
    let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 10_000_000;
    format!("+1555{n:07}")
}

/// The users, keyed by lower-cased name, and their aliases. Shared by all requests.
#[derive(Debug, Default)]
pub struct Directory {
    users: Mutex<HashMap<String, User>>,
    /// The users scripted by a file, standard input or [`Directory::insert`] (not the
    /// built-in demo users): they answer the same on every provider.
    scripted: Mutex<HashSet<String>>,
}

/// The user `name` names in `map`: by user name, else by alias (ignoring case).
fn find<'a>(map: &'a HashMap<String, User>, name: &str) -> Option<&'a User> {
    let key = name.to_lowercase();
    map.get(&key).or_else(|| {
        map.values()
            .find(|u| u.aliases.iter().any(|a| a.to_lowercase() == key))
    })
}

/// Refuses an alias that is another user's name or alias (an alias names one user).
fn check_aliases(map: &HashMap<String, User>) -> Result<(), String> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for u in map.values() {
        for a in &u.aliases {
            let key = a.to_lowercase();
            if a.trim().is_empty() {
                return Err(format!("user '{}' has an empty alias", u.user_name));
            }
            if map.contains_key(&key) && key != u.user_name.to_lowercase() {
                return Err(format!(
                    "alias '{a}' of '{}' is the name of another user",
                    u.user_name
                ));
            }
            if let Some(other) = seen.insert(key, &u.user_name) {
                return Err(format!(
                    "alias '{a}' names two users ('{other}' and '{}')",
                    u.user_name
                ));
            }
        }
    }
    Ok(())
}

impl Directory {
    /// The built-in demo directory.
    pub fn demo() -> Self {
        let named = |u: &str, a: Answer, d: f64, first: &str, last: &str, phone: &str| {
            let mut user = User::new(u, a, d);
            user.first_name = first.into();
            user.last_name = last.into();
            user.phone = Some(phone.into());
            user
        };
        let mut alice = named(
            "alice@contoso.com",
            Answer::Approve,
            1.0,
            "Alice",
            "Approver",
            "+15550100001",
        );
        alice.aliases = vec!["asmith@contoso.com".into()];
        Self::from_users(
            vec![
                alice,
                named(
                    "bob@contoso.com",
                    Answer::Deny,
                    1.0,
                    "Bob",
                    "Denier",
                    "+15550100002",
                ),
                named(
                    "carol@contoso.com",
                    Answer::NoResponse,
                    0.0,
                    "Carol",
                    "Silent",
                    "+15550100004",
                ),
                named(
                    "mallory@contoso.com",
                    Answer::Fraud,
                    1.0,
                    "Mallory",
                    "Fraudster",
                    "+15550100003",
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
            if let Some(p) = &user.phone {
                if !is_e164(p) {
                    return Err(format!(
                        "the phone of '{}' is not an E.164 number (+ and 4 to 15 digits)",
                        user.user_name
                    ));
                }
            }
            if let Some(id) = &user.okta_id {
                if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Err(format!(
                        "the oktaId of '{}' is not an Okta id (letters and digits)",
                        user.user_name
                    ));
                }
            }
            scripted.insert(key.clone());
            map.insert(key, user);
        }
        check_aliases(&map)?;
        Ok(Directory {
            users: Mutex::new(map),
            scripted: Mutex::new(scripted),
        })
    }

    /// Adds or replaces a user (an alias that another user already has is dropped from it;
    /// scripted: [`Directory::scripted`]).
    pub fn insert(&self, mut user: User) {
        let name = user.user_name.to_lowercase();
        self.scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.clone());
        let mut map = self.lock();
        user.aliases.retain(|a| {
            let key = a.to_lowercase();
            !map.contains_key(&key)
                && !map
                    .iter()
                    .any(|(n, u)| *n != name && u.aliases.iter().any(|x| x.to_lowercase() == key))
        });
        map.insert(name, user);
    }

    /// The user `name` names (a user name or an alias), when scripted (a file, standard
    /// input, [`Directory::insert`]) with an answer every provider gives (approve, deny,
    /// fraud, no response): Duo, Okta, RADIUS and privacyIDEA answer for them from here
    /// instead of from their built-in demo users.
    pub fn scripted(&self, name: &str) -> Option<User> {
        let user = self.get(name)?;
        let scripted = self
            .scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&user.user_name.to_lowercase());
        Some(user).filter(|u| scripted && u.is_portable())
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

    /// A copy of the user `name` names (a user name or an alias), if known.
    pub fn get(&self, name: &str) -> Option<User> {
        find(&self.lock(), name).cloned()
    }

    /// Every user (in no particular order).
    pub fn users(&self) -> Vec<User> {
        self.lock().values().cloned().collect()
    }

    /// Blocks a user (after fraud was reported), by name or alias.
    pub fn block(&self, name: &str) {
        let mut map = self.lock();
        let Some(key) = find(&map, name).map(|u| u.user_name.to_lowercase()) else {
            return;
        };
        if let Some(u) = map.get_mut(&key) {
            u.blocked = true;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, User>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(json: &str) -> Result<Directory, String> {
        let path = std::env::temp_dir().join(format!(
            "mfa-sim-directory-{}-{}.json",
            std::process::id(),
            json.len()
        ));
        std::fs::write(&path, json).unwrap();
        let d = Directory::demo().load(path.to_str().unwrap());
        let _ = std::fs::remove_file(&path);
        d
    }

    #[test]
    fn an_alias_reaches_its_user_whatever_the_case() {
        let d = Directory::demo();
        let alice = d.get("ASmith@Contoso.com").expect("alice's alias");
        assert_eq!(alice.user_name, "alice@contoso.com");
        assert_eq!(alice.phone(), "+15550100001");
        d.block("asmith@contoso.com");
        assert!(d.get("alice@contoso.com").unwrap().blocked, "one user");
        assert_eq!(d.get("bob@contoso.com").unwrap().phone(), "+15550100002");
        // A made phone is stable, and another name's differs.
        let x = User::new("x@contoso.com", Answer::Approve, 0.0);
        assert_eq!(x.phone(), phone_of("X@contoso.com"));
        assert_ne!(x.phone(), phone_of("y@contoso.com"));
    }

    #[test]
    fn a_file_adds_aliases_phones_and_okta_ids_and_refuses_ambiguous_ones() {
        let d = load(
            r#"{"users":[{"userName":"dave@contoso.com","answer":"approve","aliases":["CONTOSO\\dsmith"],"phone":"+15550100009","oktaId":"00udave"}]}"#,
        )
        .unwrap();
        let dave = d.get("contoso\\DSMITH").unwrap();
        assert_eq!(dave.user_name, "dave@contoso.com");
        assert_eq!(dave.okta_id.as_deref(), Some("00udave"));
        for bad in [
            // An alias that is another user's name.
            r#"{"users":[{"userName":"dave@contoso.com","answer":"approve","aliases":["alice@contoso.com"]}]}"#,
            // An alias of two users.
            r#"{"users":[{"userName":"d1@x","answer":"approve","aliases":["same"]},{"userName":"d2@x","answer":"approve","aliases":["same"]}]}"#,
            r#"{"users":[{"userName":"d@x","answer":"approve","aliases":[" "]}]}"#,
            r#"{"users":[{"userName":"d@x","answer":"approve","phone":"5550100009"}]}"#,
            r#"{"users":[{"userName":"d@x","answer":"approve","oktaId":"00u/../x"}]}"#,
        ] {
            assert!(load(bad).is_err(), "{bad}");
        }
    }
}
