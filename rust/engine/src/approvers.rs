//! Who may approve a request and how many must: the rules of an approval request that are
//! checked before anything is sent (names, distinct people, `require`, the exclude list).
//! A leaf below the request, the progress and the approval itself, which all read them
//! (docs/design.md, "Layering of the engine").

use crate::check::{check_text, ConfigError};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// The approval fields of a request, as [`check`] reads them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// `approvers`.
    pub approvers: Option<&'a [String]>,
    /// `userName` (one approver).
    pub user_name: Option<&'a str>,
    /// `require`.
    pub require: Option<&'a serde_json::Value>,
    /// `excludeUserNames`.
    pub exclude_user_names: Option<&'a [String]>,
}

/// Most approvers (and most excluded names) one request may name.
pub const MAX_APPROVERS: usize = 100;

/// How many approvals decide a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Require {
    /// One approval.
    Any,
    /// Every approver.
    All,
    /// This many approvals (1 ..= approvers).
    Count(usize),
}

impl Require {
    /// Reads `require` for `approvers` approvers: `"any"`, `"all"` (any case), or a whole
    /// number from 1 to `approvers` (a JSON number or a string of digits). Absent means
    /// any for one approver and is refused for more.
    pub fn parse(value: Option<&serde_json::Value>, approvers: usize) -> Result<Self, ConfigError> {
        let range = || {
            format!(
                "any, all or a number of approvals from 1 to {approvers} (the number of approvers)"
            )
        };
        let Some(value) = value else {
            return if approvers == 1 {
                Ok(Require::Any)
            } else {
                Err(ConfigError::new(
                    "require",
                    format!("is required with more than one approver: {}", range()),
                ))
            };
        };
        let count = match value {
            serde_json::Value::String(s) if s.trim().eq_ignore_ascii_case("any") => {
                return Ok(Require::Any)
            }
            serde_json::Value::String(s) if s.trim().eq_ignore_ascii_case("all") => {
                return Ok(Require::All)
            }
            serde_json::Value::String(s)
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.trim().parse::<usize>().ok()
            }
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
            _ => None,
        };
        match count {
            Some(n) if (1..=approvers).contains(&n) => Ok(Require::Count(n)),
            _ => {
                // Shown whole or not at all: a cut value could keep a piece of a secret
                // typed into the wrong field, which redaction would no longer match.
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let shown = if text.chars().count() <= 40 {
                    text
                } else {
                    format!("a value of {} characters", text.chars().count())
                };
                Err(ConfigError::new(
                    "require",
                    format!("'{shown}' is not {}", range()),
                ))
            }
        }
    }

    /// Approvals needed out of `total`.
    pub fn needed(self, total: usize) -> usize {
        match self {
            Require::Any => 1,
            Require::All => total,
            Require::Count(n) => n,
        }
    }

    /// `any`, `all` or the number.
    pub fn label(self) -> String {
        match self {
            Require::Any => "any".into(),
            Require::All => "all".into(),
            Require::Count(n) => n.to_string(),
        }
    }
}

/// Whether `c` is an invisible format character (Unicode category Cf: zero-width
/// characters, bidi controls, the BOM, tags) that could make two names look alike.
pub fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x3164
        | 0xFE00..=0xFE0F | 0xFFA0 | 0xE0100..=0xE01EF | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// What two names must differ in to be two people: the [`identity`]'s account name (the
/// part after the last `DOMAIN\` or `DOMAIN/`, before the first `@` or `%` (a realm
/// delimiter RADIUS servers strip), without quotes and combining marks), reduced to its
/// look-alike skeleton (Unicode TS #39). Wider than any one server's mapping on purpose: a
/// false "same person" refuses a request, a false "two people" would grant one.
pub fn person_key(name: &str) -> String {
    let id = identity(name);
    let after_domain = id.rsplit(['\\', '/']).next().unwrap_or_default();
    let account = match after_domain.find(['@', '%']) {
        Some(i) if i > 0 => &after_domain[..i],
        _ => after_domain,
    };
    let plain: String = account
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c) && !matches!(c, '"' | '\''))
        .collect();
    unicode_security::confusable_detection::skeleton(&plain).collect()
}

/// A user name's rules: [`check_text`] (required, bounded, no control characters) and no
/// invisible format characters.
pub fn check_name(field: &str, name: &str) -> Result<(), ConfigError> {
    check_text(field, name, true)?;
    if let Some((i, c)) = format_char(name) {
        return Err(ConfigError::new(
            field,
            format!(
                "contains the invisible format character U+{:04X} at position {i}; type the name without it",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// The first invisible format character in `text` (its position in characters), if any.
fn format_char(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|(_, c)| is_format_char(*c))
}

/// Text a person reads on the push (`pushType`, `applicationName`, `pushInfo` keys and
/// values, `hostname`, `displayUserName`): [`check_text`] and, as for user names, no
/// invisible or direction-changing format character (U+202E would show "Pay 0001 EUR" as
/// "Pay 1000 EUR" on the phone; U+200B hides a difference). The message names the
/// character as U+XXXX, never the character itself.
pub fn check_shown_text(field: &str, value: &str, required: bool) -> Result<(), ConfigError> {
    check_text(field, value, required)?;
    if let Some((i, c)) = format_char(value) {
        return Err(ConfigError::new(
            field,
            format!(
                "contains the invisible or direction-changing format character U+{:04X} at position {i} (the phone would show the text otherwise than it reads here); give the text without it",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// `text` with every control and invisible format character written as U+XXXX, for naming
/// a field whose name is caller text (a `pushInfo` key) in a message.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_format_char(c) {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The identity a name stands for: trimmed, NFKC-normalised, case-folded (full Unicode:
/// upper then lower case, so `ß` and `SS` agree). Two names with the same identity are
/// the same person.
pub fn identity(name: &str) -> String {
    let normal: String = name.trim().nfkc().collect();
    let folded = normal.to_uppercase().to_lowercase();
    folded.nfkc().collect::<String>().trim().to_owned()
}

/// Checks an approval request's approvers, require and exclude list (every rule that can
/// be checked before anything is sent).
pub fn check(request: Request<'_>) -> Result<(), ConfigError> {
    let (field, names): (&str, Vec<&str>) = match (request.approvers, request.user_name) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                "approvers",
                "give either userName (one approver) or approvers, not both",
            ))
        }
        (Some(a), None) => ("approvers", a.iter().map(String::as_str).collect()),
        (None, Some(u)) => ("userName", vec![u]),
        (None, None) => return Err(ConfigError::new("userName", "is required")),
    };
    if names.is_empty() {
        return Err(ConfigError::new(
            "approvers",
            "must name at least one approver",
        ));
    }
    if names.len() > MAX_APPROVERS {
        return Err(ConfigError::new(
            "approvers",
            format!(
                "names {} approvers; at most {MAX_APPROVERS} are allowed",
                names.len()
            ),
        ));
    }
    for (i, n) in names.iter().enumerate() {
        let f = if field == "approvers" {
            format!("approvers[{i}]")
        } else {
            field.to_owned()
        };
        check_name(&f, n)?;
    }
    let require = Require::parse(request.require, names.len())?;
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(names.len());
    for n in &names {
        if let Some(first) = seen.insert(person_key(n), n) {
            let needed = require.needed(names.len());
            let people = if needed == 1 {
                "one person".to_string()
            } else {
                format!("{needed} different people")
            };
            return Err(ConfigError::new(
                "approvers",
                format!(
                    "'{first}' and '{n}' are the same person (names are compared ignoring case, surrounding spaces, look-alike characters and the domain: DOMAIN\\user, user@domain and user are one account); name each approver once (require {} needs {people})",
                    require.label()
                ),
            ));
        }
    }
    let excluded = request.exclude_user_names.unwrap_or_default();
    if excluded.len() > MAX_APPROVERS {
        return Err(ConfigError::new(
            "excludeUserNames",
            format!(
                "names {} users; at most {MAX_APPROVERS} are allowed",
                excluded.len()
            ),
        ));
    }
    for (i, x) in excluded.iter().enumerate() {
        check_name(&format!("excludeUserNames[{i}]"), x)?;
        if let Some(n) = seen.get(&person_key(x)) {
            return Err(ConfigError::new(
                field,
                format!("'{n}' may not approve this request: it is the same person as the excluded '{x}'"),
            ));
        }
    }
    Ok(())
}
