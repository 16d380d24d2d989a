//! The provider registry: one description per provider ([`ProviderSpec`], each in its
//! provider's folder) and one line registering them ([`PROVIDERS`]). Everything that differs
//! between providers and that another layer needs is read from here: the configuration
//! fields each takes (and so which ones it refuses), its secret kinds, what it can do, the
//! next step for a failure, how it is checked and built. `mfa_capabilities` exports the
//! descriptions (`providerDetails`), the contract generator renders them into C#, and the
//! configuration reader ([`split`]) refuses a field no part of the description names.
//!
//! Adding a provider: a folder with its client and a `spec.rs`, and one entry below.

use crate::check::ConfigError;
use crate::config::{ClientConfig, Secrets};
use crate::outcome::FailureKind;
use crate::provider::Provider;
use crate::redact::Redactor;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Every provider, once. The first is the default when a configuration names none.
pub static PROVIDERS: &[&ProviderSpec] = &[
    &crate::mfaserver::SPEC,
    &crate::duo::SPEC,
    &crate::radius::SPEC,
    &crate::okta::SPEC,
    &crate::privacyidea::SPEC,
];

/// What a configuration field holds (how a host turns a parameter into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A string.
    Text,
    /// An absolute URL (a host passes the text it was given).
    Uri,
    /// A file path (a host passes it resolved, absolute).
    Path,
    /// `true` when a switch is present.
    Switch,
    /// `false` when a switch is present (`requireUserMatch` from `-AllowUnknownUser`).
    NotSwitch,
    /// A number.
    Number,
    /// A list of strings.
    TextList,
    /// One of a few lower-case words (a host passes its enum's name lower-cased first letter).
    Choice,
    /// The user name of a credential parameter (its password is a secret).
    CredentialUser,
}

impl ValueKind {
    /// The name in the capabilities document.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Uri => "uri",
            ValueKind::Path => "path",
            ValueKind::Switch => "switch",
            ValueKind::NotSwitch => "notSwitch",
            ValueKind::Number => "number",
            ValueKind::TextList => "textList",
            ValueKind::Choice => "choice",
            ValueKind::CredentialUser => "credentialUser",
        }
    }
}

/// One configuration field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON name (`integrationKey`).
    pub json: &'static str,
    /// The New-MfaConnection parameter that sets it (`IntegrationKey`; empty: none).
    pub parameter: &'static str,
    /// What it holds.
    pub value: ValueKind,
    /// Must be given.
    pub required: bool,
}

/// A field: `json`, set by `parameter`.
pub const fn field(
    json: &'static str,
    parameter: &'static str,
    value: ValueKind,
    required: bool,
) -> Field {
    Field {
        json,
        parameter,
        value,
        required,
    }
}

/// How a host holds a secret before it reaches the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    /// A SecureString parameter.
    SecureString,
    /// The password of a PSCredential parameter (its user name is a field).
    Credential,
    /// A file the host reads into protected memory (Okta's PEM private key).
    File,
}

impl SecretSource {
    /// The name in the capabilities document.
    pub fn name(self) -> &'static str {
        match self {
            SecretSource::SecureString => "secureString",
            SecretSource::Credential => "credential",
            SecretSource::File => "file",
        }
    }
}

/// One secret (it travels apart from the JSON, by kind number).
#[derive(Debug, Clone, Copy)]
pub struct Secret {
    /// The C ABI's `MFA_SECRET_*` number (the header's constants; a test ties them).
    pub kind: u32,
    /// The name errors use (`duoSecretKey`).
    pub name: &'static str,
    /// The New-MfaConnection parameter that holds it.
    pub parameter: &'static str,
    /// How the parameter holds it.
    pub source: SecretSource,
    /// Must be given (the provider's own checks say when it depends on other fields).
    pub required: bool,
    /// Is it in `secrets`?
    pub present: fn(&Secrets) -> bool,
    /// How a connection names the authentication it gives (`DuoSignature`; empty: none).
    pub shown: &'static str,
}

/// A secret kind.
pub const fn secret(
    kind: u32,
    name: &'static str,
    parameter: &'static str,
    source: SecretSource,
    required: bool,
    present: fn(&Secrets) -> bool,
    shown: &'static str,
) -> Secret {
    Secret {
        kind,
        name,
        parameter,
        source,
        required,
        present,
        shown,
    }
}

/// Builds a provider from a checked configuration and its secrets.
pub type Build =
    fn(&ClientConfig, &Secrets, Arc<Redactor>) -> Result<Arc<dyn Provider>, ConfigError>;

/// The description of one provider.
pub struct ProviderSpec {
    /// `provider` in the configuration (`okta`).
    pub name: &'static str,
    /// The PowerShell label: `-Provider` value and parameter-set name (`Okta`).
    pub label: &'static str,
    /// How people call it in a sentence (`MFA Server`, `privacyIDEA`).
    pub display: &'static str,
    /// New-MfaConnection's parameter sets for it (one, or one per credential shape).
    pub parameter_sets: &'static [&'static str],
    /// Talks HTTP(S): takes [`HTTP_FIELDS`] and [`HTTP_SECRETS`] too.
    pub http: bool,
    /// Said after a refused field of another provider (why it cannot apply here; may be empty).
    pub foreign_field_hint: &'static str,
    /// Its own fields (with [`COMMON_FIELDS`] and, for HTTP, [`HTTP_FIELDS`], all it takes).
    pub fields: &'static [Field],
    /// Its own secrets (with [`COMMON_SECRETS`] and, for HTTP, [`HTTP_SECRETS`]).
    pub secrets: &'static [Secret],
    /// Says who a name is (four eyes counts what it resolves; `allowNameOnlyIdentity` refused).
    pub resolves_identity: bool,
    /// Can tell people apart by names alone when asked (`allowNameOnlyIdentity`).
    pub names_only_identity: bool,
    /// Withdraws a push its request stopped waiting for.
    pub withdraw: bool,
    /// A code the asker shows the approver: the sentence a host shows before it (`None`: no code).
    pub code_sentence: Option<&'static str>,
    /// The operations besides `authenticate` it answers.
    pub queries: &'static [&'static str],
    /// What Test-MfaConnection runs and what success means: the operations, in order.
    pub test: &'static [&'static str],
    /// Test-MfaConnection's message when every step succeeded (empty: it has no test).
    pub test_success: &'static str,
    /// Its own next step for a failure kind (`None`: the generic one).
    pub next_step: fn(FailureKind) -> Option<&'static str>,
    /// Checks its part of a configuration (after the common and HTTP checks).
    pub validate: fn(&ClientConfig, &Secrets) -> Result<(), ConfigError>,
    /// Secrets [`ClientConfig::validate_fields`] assumes the host will give.
    pub assume: fn(&ClientConfig, &mut Secrets),
    /// Builds it.
    pub build: Build,
    /// What follows "New-MfaConnection -Provider <label> takes": its parameters, said by a
    /// host when the parameters given do not fit it.
    pub takes: &'static str,
    /// A field given as a host name (and optional :port) in place of `uri`: the engine makes
    /// the URI `https://<host>` from it (`None`: `uri` itself is given).
    pub host_field: Option<&'static str>,
    /// The field naming the caller as the provider knows it (an account, an integration), a
    /// host's -Verbose shows it (`None`: none).
    pub caller_field: Option<&'static str>,
    /// A request's reason is the push's own text (`pushType`): a host makes no
    /// `applicationName` from it.
    pub reason_is_push_text: bool,
}

/// Fields every provider takes (the audit trail, the identity opt-in, `provider` itself).
pub const COMMON_FIELDS: &[Field] = &[
    field("provider", "Provider", ValueKind::Choice, false),
    field("auditPath", "AuditPath", ValueKind::Path, false),
    field("syslogServer", "SyslogServer", ValueKind::Text, false),
    field(
        "syslogCaCertificateFile",
        "SyslogCaCertificateFile",
        ValueKind::Path,
        false,
    ),
    field(
        "syslogCertificateSha256",
        "SyslogCertificateHash",
        ValueKind::TextList,
        false,
    ),
    field("auditRequired", "AuditRequired", ValueKind::Choice, false),
    field("eventLog", "EventLog", ValueKind::Switch, false),
    field(
        "allowNameOnlyIdentity",
        "AllowNameOnlyIdentity",
        ValueKind::Switch,
        false,
    ),
];

/// Secrets every provider takes.
pub const COMMON_SECRETS: &[Secret] = &[secret(
    9,
    "auditKey",
    "AuditKey",
    SecretSource::SecureString,
    false,
    |s| s.audit_key.is_some(),
    "",
)];

/// Fields every HTTP provider takes (TLS, proxy, timeouts).
pub const HTTP_FIELDS: &[Field] = &[
    field(
        "allowUnencryptedAuthentication",
        "AllowUnencryptedAuthentication",
        ValueKind::Switch,
        false,
    ),
    field(
        "serverCertificateSha256",
        "ServerCertificateHash",
        ValueKind::TextList,
        false,
    ),
    field(
        "caCertificateFile",
        "CaCertificateFile",
        ValueKind::Path,
        false,
    ),
    field(
        "httpTimeoutSeconds",
        "HttpTimeout",
        ValueKind::Number,
        false,
    ),
    field("proxy", "Proxy", ValueKind::Uri, false),
    field(
        "proxyUserName",
        "ProxyCredential",
        ValueKind::CredentialUser,
        false,
    ),
];

/// Secrets every HTTP provider takes.
pub const HTTP_SECRETS: &[Secret] = &[secret(
    4,
    "proxyPassword",
    "ProxyCredential",
    SecretSource::Credential,
    false,
    |s| s.proxy_password.is_some(),
    "",
)];

impl ProviderSpec {
    /// Every field it takes: common, HTTP (if it talks HTTP), its own.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static Field> + '_ {
        let http: &'static [Field] = if self.http { HTTP_FIELDS } else { &[] };
        COMMON_FIELDS.iter().chain(http).chain(self.fields)
    }

    /// Every secret it takes: common, HTTP (if it talks HTTP), its own.
    pub fn all_secrets(&self) -> impl Iterator<Item = &'static Secret> + '_ {
        let http: &'static [Secret] = if self.http { HTTP_SECRETS } else { &[] };
        COMMON_SECRETS.iter().chain(http).chain(self.secrets)
    }

    /// Does it take the field `json`?
    pub fn takes(&self, json: &str) -> bool {
        self.all_fields().any(|f| f.json == json)
    }

    /// Its next step for `kind`, or the generic one.
    pub fn step(&self, kind: FailureKind) -> Option<&'static str> {
        (self.next_step)(kind)
    }

    /// Its description for hosts (`providerDetails` in the capabilities).
    pub fn describe(&self) -> Value {
        let fields: Vec<Value> = self
            .all_fields()
            .map(|f| {
                json!({
                    "json": f.json,
                    "parameter": f.parameter,
                    "value": f.value.name(),
                    "required": f.required,
                })
            })
            .collect();
        let secrets: Vec<Value> = self
            .all_secrets()
            .map(|s| {
                json!({
                    "kind": s.kind,
                    "name": s.name,
                    "parameter": s.parameter,
                    "source": s.source.name(),
                    "required": s.required,
                    "settingsKey": settings_key(s.parameter, s.source != SecretSource::File),
                    "shown": s.shown,
                })
            })
            .collect();
        json!({
            "name": self.name,
            "label": self.label,
            "display": self.display,
            "parameterSets": self.parameter_sets,
            "http": self.http,
            "fields": fields,
            "secrets": secrets,
            "resolvesIdentity": self.resolves_identity,
            "namesOnlyIdentity": self.names_only_identity,
            "withdraw": self.withdraw,
            "codeSentence": self.code_sentence,
            "queries": self.queries,
            "test": self.test,
            "testSuccess": self.test_success,
            "takes": self.takes,
            "hostField": self.host_field,
            "callerField": self.caller_field,
            "reasonIsPushText": self.reason_is_push_text,
            "foreignFieldHint": self.foreign_field_hint,
        })
    }
}

/// The MIM settings key for a New-MfaConnection parameter: its name, with `Path` after it
/// for a secret parameter (a SecureString or PSCredential: the settings file holds the path of
/// a protected file, never the secret); a secret read from a file is keyed by its own name.
pub fn settings_key(parameter: &str, secret: bool) -> String {
    if secret {
        format!("{parameter}Path")
    } else {
        parameter.to_owned()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Each entry builds its provider, which answers to the entry's name and resolves
    /// identities exactly when the entry says so.
    #[test]
    fn every_entry_builds_the_provider_it_describes() {
        let secret = |s: &str| Some(zeroize::Zeroizing::new(s.to_string()));
        for p in PROVIDERS {
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
            (p.assume)(&config, &mut secrets);
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
            let built = (p.build)(&config, &secrets, redactor).expect(&json);
            assert_eq!(built.name(), p.name);
            assert_eq!(built.resolves_identity(), p.resolves_identity, "{}", p.name);
            assert_eq!(!p.resolves_identity, p.names_only_identity, "{}", p.name);
        }
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
