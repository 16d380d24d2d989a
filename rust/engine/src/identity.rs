//! Who a name is, as the provider resolves it: the thing four eyes are counted on.
//!
//! Spellings are not people: Okta accepts a login and the same user's id, Duo has username
//! aliases, an MFA Server resolves `CONTOSO\asmith` and `alice.smith@contoso.com` to one
//! account. So before any push, a provider that can ([`crate::provider::Provider::resolves_identity`])
//! says who each approver and each excluded name is, as what it will push to:
//!
//! - Okta: the user id (`GET /api/v1/users/{login or id}`);
//! - Duo: the push-capable devices `preauth` lists (device ids);
//! - MFA Server: the phone numbers `GetUserSettings_3` holds (primary and backup).
//! - the others: what their own `identity` module says (a user in a resolver, for one),
//!   whatever spelling found them.
//!
//! An [`Identity`] is a set of keys; two identities that share any key are one person (two
//! Duo names on one phone are one person, whatever else each has). Keys never leave the
//! engine; what the record shows is each key's display form (an Okta id, a Duo device id, a
//! phone masked but for its last 4 digits).

use std::any::Any;
use std::sync::Arc;

/// One comparable fact about a person: the key (compared, never shown) and how the record
/// shows it.
#[derive(Clone, PartialEq, Eq)]
struct Key {
    key: String,
    shown: String,
}

/// Who a name is, as the provider resolves it. Two identities are one person when they
/// share any key ([`Identity::shared_with`]).
#[derive(Clone)]
pub struct Identity {
    keys: Vec<Key>,
    /// HTTP calls the lookup made (counted in the approver's outcome).
    pub(crate) http_calls: u32,
    /// What the provider resolved, in its own terms (only it reads this): the Okta user to
    /// push to, the Duo device. The push goes to exactly this, not to a new lookup.
    pub(crate) resolved: Option<Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys may be whole phone numbers: show only the masked forms.
        f.debug_struct("Identity")
            .field("shown", &self.shown())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// An identity with no keys yet (add them with [`Identity::with_key`]).
    pub(crate) fn new() -> Self {
        Identity {
            keys: Vec::new(),
            http_calls: 0,
            resolved: None,
        }
    }

    /// Adds a key (`kind` namespaces it, so an Okta id never equals a phone number) and
    /// its display form. A key already present is not added twice.
    pub(crate) fn with_key(mut self, kind: &str, key: &str, shown: impl Into<String>) -> Self {
        let key = format!("{kind}:{key}");
        if !self.keys.iter().any(|k| k.key == key) {
            self.keys.push(Key {
                key,
                shown: shown.into(),
            });
        }
        self
    }

    /// Records what the provider resolved (read back with [`Identity::resolved_as`]).
    pub(crate) fn with_resolved<T: Any + Send + Sync>(mut self, resolved: T) -> Self {
        self.resolved = Some(Arc::new(resolved));
        self
    }

    /// What the provider resolved, when it is of type `T`.
    pub(crate) fn resolved_as<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.resolved.as_deref()?.downcast_ref::<T>()
    }

    /// Whether there is anything to compare (an identity without keys is no identity).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The display form of a key this identity shares with `other` (they are one person),
    /// or `None` (two people).
    pub fn shared_with(&self, other: &Identity) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| other.keys.iter().any(|o| o.key == k.key))
            .map(|k| k.shown.as_str())
    }

    /// The display form of the whole identity, for the record (`identity` per approver):
    /// every key's display form, in the order the provider gave them.
    pub fn shown(&self) -> String {
        let shown: Vec<&str> = self.keys.iter().map(|k| k.shown.as_str()).collect();
        shown.join(", ")
    }
}

/// A phone number in E.164 form (`+` and 4 to 20 digits, an optional `x` and extension
/// digits) from a country code, a number and an extension as a server stores them; `None`
/// when there is no number. `Err` when the stored text is not a phone number (letters, or
/// digits the record would not show as such).
pub fn phone_key(country: &str, number: &str, extension: &str) -> Result<Option<String>, String> {
    fn digits(field: &str, text: &str, allowed_plus: bool) -> Result<String, String> {
        let mut out = String::new();
        for (i, c) in text.trim().chars().enumerate() {
            match c {
                '0'..='9' => out.push(c),
                '+' if allowed_plus && i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(format!("the {field} is not a phone number")),
            }
        }
        Ok(out)
    }
    let plus = number.trim_start().starts_with('+');
    let national = digits("phone number", number, true)?;
    if national.is_empty() {
        return Ok(None);
    }
    let code = if plus {
        String::new()
    } else {
        digits("country code", country, true)?
    };
    let all = format!("{code}{national}");
    if !(4..=20).contains(&all.len()) {
        return Err("the phone number has too few or too many digits".into());
    }
    let ext = digits("extension", extension, false)?;
    if ext.len() > 10 {
        return Err("the extension has too many digits".into());
    }
    Ok(Some(if ext.is_empty() {
        format!("+{all}")
    } else {
        format!("+{all}x{ext}")
    }))
}

/// A phone key masked but for its last 4 digits (`+*******0001`; an extension is shown as
/// `x` and stars).
pub fn mask_phone(key: &str) -> String {
    let (number, ext) = match key.split_once('x') {
        Some((n, e)) => (n, Some(e)),
        None => (key, None),
    };
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().min(4);
    let mut out = String::from("+");
    out.push_str(&"*".repeat(digits.len() - keep));
    out.extend(&digits[digits.len() - keep..]);
    if let Some(e) = ext {
        out.push('x');
        out.push_str(&"*".repeat(e.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_identities_are_one_person_when_they_share_any_key() {
        let a = Identity::new()
            .with_key("duo", "DP1", "Duo device DP1")
            .with_key("duo", "DP2", "Duo device DP2");
        let b = Identity::new().with_key("duo", "DP2", "Duo device DP2");
        let c = Identity::new().with_key("duo", "DP3", "Duo device DP3");
        assert_eq!(a.shared_with(&b), Some("Duo device DP2"));
        assert_eq!(b.shared_with(&a), Some("Duo device DP2"));
        assert_eq!(a.shared_with(&c), None);
        // Kinds never meet: an Okta id that happens to equal a device id.
        let okta = Identity::new().with_key("okta", "DP1", "Okta user DP1");
        assert_eq!(a.shared_with(&okta), None);
        assert_eq!(a.shown(), "Duo device DP1, Duo device DP2");
        assert!(Identity::new().is_empty());
    }

    #[test]
    fn phones_become_one_key_whatever_their_spelling() {
        for (cc, n) in [
            ("1", "555 010 0001"),
            ("+1", "(555) 010-0001"),
            ("", "+1 555.010.0001"),
            ("44", "+15550100001"),
        ] {
            assert_eq!(
                phone_key(cc, n, "").unwrap().as_deref(),
                Some("+15550100001"),
                "{cc} {n}"
            );
        }
        assert_eq!(
            phone_key("1", "5550100001", "12").unwrap().as_deref(),
            Some("+15550100001x12")
        );
        assert_eq!(phone_key("1", "", "").unwrap(), None);
        assert_eq!(phone_key("1", "  ", "").unwrap(), None);
        for (cc, n, e) in [
            ("1", "555-CALL-NOW", ""),
            ("1", "555\u{0661}0100", ""),
            ("1", "5550100001", "12a"),
            ("x", "5550100001", ""),
            ("1", "12", ""),
            ("1", &"9".repeat(30), ""),
            ("1", "55+50100001", ""),
        ] {
            assert!(phone_key(cc, n, e).is_err(), "{cc} {n} {e}");
        }
    }

    #[test]
    fn a_phone_is_shown_only_by_its_last_four_digits() {
        assert_eq!(mask_phone("+15550100001"), "+*******0001");
        assert_eq!(mask_phone("+15550100001x123"), "+*******0001x***");
        assert_eq!(mask_phone("+123"), "+123");
        let debug = format!(
            "{:?}",
            Identity::new().with_key("phone", "+15550100001", mask_phone("+15550100001"))
        );
        assert!(!debug.contains("5550100001"), "{debug}");
    }
}
