//! The provider registry: one description per provider ([`ProviderSpec`], plain data in its
//! provider's folder, `<provider>/spec.rs`) and one line registering each ([`PROVIDERS`]).
//! Everything that differs between providers and that another layer needs is read from here:
//! the configuration fields each takes (and so which ones it refuses), its secret kinds, what
//! it can do, the next step for a failure. `mfa_capabilities` exports the descriptions
//! (`providerDetails`), the contract generator renders them into C#, and the configuration
//! reader ([`split`]) refuses a field no part of the description names.
//!
//! Layering (no import circle): this catalog and the types it is made of ([`types`]) import
//! nothing above the leaves, so `next_step` and the configuration reader, which the providers
//! use, can read it. How each provider is checked and built (its
//! [`crate::provider::Constructor`], in `<provider>/build.rs`) is listed in [`build`], above
//! the providers; the build fails when the two lists do not name the same providers in the
//! same order.
//!
//! Adding a provider: a folder with its client, a `spec.rs` and a `build.rs`, and one entry
//! here and one in [`build`].

pub mod build;
pub mod types;

use crate::check::ConfigError;
use crate::config::Secrets;
use serde_json::{Map, Value};
pub use types::{ProviderSpec, COMMON_FIELDS, HTTP_FIELDS};

/// Every provider's description, once. The first is the default when a configuration names
/// none. [`build::CONSTRUCTORS`] lists how each is built, in the same order.
pub static PROVIDERS: &[&ProviderSpec] = &[
    &crate::mfaserver::spec::SPEC,
    &crate::duo::spec::SPEC,
    &crate::radius::spec::SPEC,
    &crate::okta::spec::SPEC,
    &crate::privacyidea::spec::SPEC,
];

/// The provider named `name`.
pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().copied().find(|p| p.name == name)
}

/// The provider named `name`, or an error naming `provider` with the list.
pub fn lookup(name: &str) -> Result<&'static ProviderSpec, ConfigError> {
    find(name).ok_or_else(|| {
        ConfigError::new(
            "provider",
            format!(
                "unknown provider '{name}'; supported: {}",
                names().join(", ")
            ),
        )
    })
}

/// Every provider's name, in registry order.
pub fn names() -> Vec<&'static str> {
    PROVIDERS.iter().map(|p| p.name).collect()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Refuses a field `spec` does not take: another provider's (named), or one no provider
/// takes (with the list of what `spec` takes). `keys` are the configuration's top-level keys.
pub fn refuse_foreign_fields<'a>(
    spec: &ProviderSpec,
    keys: impl IntoIterator<Item = &'a str>,
) -> Result<(), ConfigError> {
    for key in keys {
        if spec.takes(key) {
            continue;
        }
        // The key is the host's text: named only when it is a plausible field name.
        if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ConfigError::new(
                "config",
                format!(
                    "has a field name that is not a configuration field (only letters and digits, at most 64); provider {} takes the fields mfa_capabilities lists in providerDetails",
                    spec.name
                ),
            ));
        }
        let owners: Vec<&str> = PROVIDERS
            .iter()
            .filter(|p| p.takes(key))
            .map(|p| p.label)
            .collect();
        if owners.is_empty() {
            let mut known: Vec<&str> = spec.all_fields().map(|f| f.json).collect();
            known.sort_unstable();
            return Err(ConfigError::new(
                key,
                format!(
                    "is not a configuration field; provider {} takes: {}",
                    spec.name,
                    known.join(", ")
                ),
            ));
        }
        return Err(ConfigError::new(
            key,
            format!(
                "is a{} {} setting; provider is {}{}",
                if owners[0].starts_with(['A', 'E', 'I', 'O', 'U']) {
                    "n"
                } else {
                    ""
                },
                and_list(&owners),
                spec.name,
                spec.foreign_field_hint
            ),
        ));
    }
    Ok(())
}

/// Refuses a secret `spec` does not take, naming it and whose it is.
pub fn refuse_foreign_secrets(spec: &ProviderSpec, secrets: &Secrets) -> Result<(), ConfigError> {
    let takes = |name: &str| spec.all_secrets().any(|s| s.name == name);
    for p in PROVIDERS {
        for s in p.all_secrets() {
            if (s.present)(secrets) && !takes(s.name) {
                let owners: Vec<&str> = PROVIDERS
                    .iter()
                    .filter(|o| o.all_secrets().any(|x| x.name == s.name))
                    .map(|o| o.label)
                    .collect();
                return Err(ConfigError::new(
                    s.name,
                    format!(
                        "is a secret of {}; provider is {}",
                        and_list(&owners),
                        spec.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Splits a configuration object by the registry: the provider it names (default: the
/// first registered), after refusing every key that provider does not take.
pub fn split(object: &Map<String, Value>) -> Result<&'static ProviderSpec, ConfigError> {
    let spec = match object.get("provider") {
        None => PROVIDERS[0],
        Some(Value::String(name)) => lookup(name)?,
        Some(_) => {
            return Err(ConfigError::new(
                "provider",
                format!("must be a string, one of {}", names().join(", ")),
            ))
        }
    };
    refuse_foreign_fields(spec, object.keys().map(String::as_str))?;
    Ok(spec)
}

/// Every provider's description (`providerDetails` in the capabilities).
pub fn describe_all() -> Value {
    Value::Array(PROVIDERS.iter().map(|p| p.describe()).collect())
}

// A method of the configuration defined here, beside the catalog it reads (the provider's own
// credential settings for its message): `config` sits below the registry and cannot read it.
impl crate::config::ClientConfig {
    /// `https` or `http`, or an error naming `uri`.
    pub fn scheme(&self) -> Result<&'static str, ConfigError> {
        let url = reqwest::Url::parse(&self.uri)
            .map_err(|e| ConfigError::new("uri", format!("is not an absolute URL: {e}")))?;
        let scheme = match url.scheme() {
            "https" => "https",
            "http" => "http",
            other => {
                return Err(ConfigError::new(
                    "uri",
                    format!("scheme '{other}' is not supported; use https:// (or http://)"),
                ))
            }
        };
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::new("uri", "has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // The provider's own way to authenticate (Okta has no userName).
            let instead = match find(&self.provider) {
                Some(p) if p.takes("userName") => {
                    "give userName and the basicPassword secret instead".to_string()
                }
                Some(p) => format!(
                    "give the credential as {} instead",
                    p.secrets
                        .iter()
                        .map(|s| format!("the {} secret", s.name))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                None => "give the provider's credential settings instead".to_string(),
            };
            return Err(ConfigError::new(
                "uri",
                format!("must not embed credentials (user:password@); {instead}"),
            ));
        }
        Ok(scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientConfig;

    #[test]
    fn every_provider_is_registered_once_with_unique_names_labels_and_sets() {
        let mut names: Vec<_> = PROVIDERS.iter().map(|p| p.name).collect();
        let mut labels: Vec<_> = PROVIDERS.iter().map(|p| p.label).collect();
        let mut sets: Vec<_> = PROVIDERS
            .iter()
            .flat_map(|p| p.parameter_sets.iter())
            .collect();
        for list in [&mut names, &mut labels] {
            let n = list.len();
            list.sort_unstable();
            list.dedup();
            assert_eq!(list.len(), n, "{list:?}");
        }
        let n = sets.len();
        sets.sort_unstable();
        sets.dedup();
        assert_eq!(sets.len(), n);
        assert_eq!(PROVIDERS.len(), 5);
    }

    #[test]
    fn no_provider_lists_a_field_or_secret_twice() {
        for p in PROVIDERS {
            let mut fields: Vec<_> = p.all_fields().map(|f| f.json).collect();
            let n = fields.len();
            fields.sort_unstable();
            fields.dedup();
            assert_eq!(fields.len(), n, "{}", p.name);
            let mut kinds: Vec<_> = p.all_secrets().map(|s| s.kind).collect();
            let n = kinds.len();
            kinds.sort_unstable();
            kinds.dedup();
            assert_eq!(kinds.len(), n, "{}", p.name);
        }
    }

    /// Every field the configuration type reads is some provider's (or common), and every
    /// field the registry lists is one the configuration type reads: serde's own list of
    /// expected fields is the other side.
    #[test]
    fn the_registry_and_the_configuration_type_name_the_same_fields() {
        let err = serde_json::from_str::<ClientConfig>(r#"{"zzNoSuchField":1}"#).unwrap_err();
        let text = err.to_string();
        let expected: Vec<&str> = text
            .split("expected one of ")
            .nth(1)
            .expect("serde lists the fields")
            .split(',')
            .map(|s| s.trim().trim_matches('`'))
            .map(|s| s.split('`').next().unwrap())
            .filter(|s| !s.is_empty())
            .collect();
        let mut listed: Vec<&str> = PROVIDERS
            .iter()
            .flat_map(|p| p.all_fields().map(|f| f.json))
            .collect();
        listed.sort_unstable();
        listed.dedup();
        let mut serde_fields = expected.clone();
        serde_fields.sort_unstable();
        assert_eq!(listed, serde_fields);
    }

    #[test]
    fn another_providers_field_is_refused_naming_it_and_whose_it_is() {
        let duo = find("duo").unwrap();
        let e = refuse_foreign_fields(duo, ["uri", "numberChallenge"]).unwrap_err();
        assert_eq!(e.field, "numberChallenge");
        assert_eq!(e.problem, "is an Okta setting; provider is duo");
        let radius = find("radius").unwrap();
        let e = refuse_foreign_fields(radius, ["servers", "uri"]).unwrap_err();
        assert_eq!(e.field, "uri");
        assert!(
            e.problem.starts_with(
                "is a MfaServer, Duo, Okta and PrivacyIdea setting; provider is radius"
            ),
            "{e}"
        );
        let e = refuse_foreign_fields(duo, ["integrationKey", "requireUsermatch"]).unwrap_err();
        assert_eq!(e.field, "requireUsermatch");
        assert!(e.problem.contains("provider duo takes:"), "{e}");
        assert!(e.problem.contains("integrationKey"), "{e}");
    }

    #[test]
    fn a_hostile_field_name_is_refused_without_being_repeated() {
        let duo = find("duo").unwrap();
        let long = "k".repeat(5000);
        for key in ["hunter2\u{202e}", "a b", "", long.as_str(), "x\n{\"y\""] {
            let e = refuse_foreign_fields(duo, [key]).unwrap_err();
            assert_eq!(e.field, "config");
            assert!(key.is_empty() || !e.problem.contains(key), "{e}");
            assert!(e.problem.len() < 300);
        }
    }

    #[test]
    fn another_providers_secret_is_refused() {
        let secrets = Secrets {
            duo_secret_key: Some(zeroize::Zeroizing::new("x".into())),
            ..Default::default()
        };
        let e = refuse_foreign_secrets(find("okta").unwrap(), &secrets).unwrap_err();
        assert_eq!(e.field, "duoSecretKey");
        assert_eq!(e.problem, "is a secret of Duo; provider is okta");
        refuse_foreign_secrets(find("duo").unwrap(), &secrets).unwrap();
    }

    #[test]
    fn descriptions_carry_every_field_and_secret() {
        let all = describe_all();
        for (p, d) in PROVIDERS.iter().zip(all.as_array().unwrap()) {
            assert_eq!(d["name"], p.name);
            let fields = d["fields"].as_array().unwrap();
            assert_eq!(fields.len(), p.all_fields().count());
            let secrets = d["secrets"].as_array().unwrap();
            assert_eq!(secrets.len(), p.all_secrets().count());
            for s in secrets {
                let key = s["settingsKey"].as_str().unwrap();
                let parameter = s["parameter"].as_str().unwrap();
                if s["source"] == "file" {
                    assert_eq!(key, parameter);
                } else {
                    assert_eq!(key, format!("{parameter}Path"));
                }
            }
        }
    }
}
