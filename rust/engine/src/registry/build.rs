//! How each registered provider is checked and built: its [`Constructor`] (in its folder's
//! `build.rs`), listed here, above the providers. The catalog ([`super::PROVIDERS`]) is
//! below them (plain data that `next_step` and the configuration reader read); this list
//! names the providers' functions, so it cannot be part of it. The two lists name the same
//! providers in the same order, or the build fails (the check below).

use crate::check::ConfigError;
use crate::provider::Constructor;

/// How every provider is checked and built, in [`super::PROVIDERS`]' order.
pub static CONSTRUCTORS: &[&Constructor] = &[
    &crate::mfaserver::build::CONSTRUCTOR,
    &crate::duo::build::CONSTRUCTOR,
    &crate::radius::build::CONSTRUCTOR,
    &crate::okta::build::CONSTRUCTOR,
    &crate::privacyidea::build::CONSTRUCTOR,
];

/// `a == b`, in a constant.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// The build fails when a provider is described but not built, or built but not described,
// or the two lists' orders differ: the catalog and this table cannot drift.
const _: () = {
    let (built, described) = (CONSTRUCTORS, super::PROVIDERS);
    assert!(
        built.len() == described.len(),
        "registry::build::CONSTRUCTORS and registry::PROVIDERS list different numbers of providers"
    );
    let mut i = 0;
    while i < built.len() {
        assert!(
            same(built[i].spec.name, described[i].name),
            "registry::build::CONSTRUCTORS and registry::PROVIDERS differ (name or order)"
        );
        i += 1;
    }
};

/// How the provider named `name` is checked and built, or an error naming `provider` with
/// the list of providers.
pub fn lookup(name: &str) -> Result<&'static Constructor, ConfigError> {
    let spec = super::lookup(name)?;
    CONSTRUCTORS
        .iter()
        .copied()
        .find(|c| std::ptr::eq(c.spec, spec))
        .ok_or_else(|| {
            ConfigError::new(
                "provider",
                format!(
                    "provider {name} is described but has no constructor (a bug in MfaApproval)"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ClientConfig, Secrets};
    use crate::redact::Redactor;
    use crate::registry::{types::ValueKind, PROVIDERS};
    use serde_json::{json, Value};
    use std::sync::Arc;

    #[test]
    fn every_described_provider_has_its_own_constructor() {
        for (p, c) in PROVIDERS.iter().zip(CONSTRUCTORS) {
            assert!(std::ptr::eq(*p, c.spec), "{}", p.name);
            assert!(std::ptr::eq(lookup(p.name).unwrap(), *c), "{}", p.name);
        }
        let Err(e) = lookup("nosuch") else {
            panic!("an unknown provider has a constructor")
        };
        assert_eq!(e.field, "provider");
        assert!(e.problem.starts_with("unknown provider 'nosuch'"), "{e}");
    }

    /// Each entry builds its provider, which answers to the entry's name and resolves
    /// identities exactly when the entry says so.
    #[test]
    fn every_entry_builds_the_provider_it_describes() {
        let secret = |s: &str| Some(zeroize::Zeroizing::new(s.to_string()));
        for c in CONSTRUCTORS {
            let p = c.spec;
            let mut object = serde_json::Map::new();
            object.insert("provider".into(), p.name.into());
            let mut secrets = Secrets::default();
            for f in p.all_fields().filter(|f| f.required) {
                let value: Value = match (f.json, f.value) {
                    ("apiHost", _) => "api-1.duosecurity.com".into(),
                    (_, ValueKind::Uri) => "https://mfa.contoso.com/".into(),
                    (_, ValueKind::TextList) => json!(["127.0.0.1"]),
                    ("integrationKey", _) => "DIWJ8X6AEYOR5OMC6TQ1".into(),
                    _ => "contoso".into(),
                };
                object.insert(f.json.into(), value);
            }
            let json = Value::Object(object).to_string();
            let config = ClientConfig::from_json(json.as_bytes()).expect(&json);
            (c.assume)(&config, &mut secrets);
            for s in p.all_secrets().filter(|s| s.required) {
                match s.kind {
                    1 => secrets.basic_password = secret("a-service-password"),
                    3 => secrets.duo_secret_key = secret(&"k".repeat(40)),
                    5 => secrets.radius_shared_secret = secret("a-long-enough-shared-secret"),
                    other => panic!("a required secret kind {other} this test does not fill"),
                }
            }
            config.validate(&secrets).expect(&json);
            let redactor = Arc::new(Redactor::new(None, &[]));
            let built = (c.build)(&config, &secrets, redactor).expect(&json);
            assert_eq!(built.name(), p.name);
            assert_eq!(built.resolves_identity(), p.resolves_identity, "{}", p.name);
            assert_eq!(!p.resolves_identity, p.names_only_identity, "{}", p.name);
        }
    }
}
