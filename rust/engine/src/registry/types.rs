//! What a provider's description is made of: its fields, secrets, capabilities and next
//! steps, as plain data (no function of a provider, so every `<provider>/spec.rs` and the
//! catalog that lists them sit below the providers: `next_step` and the configuration reader
//! read them). The functions that check and build a provider are in
//! [`crate::provider::Constructor`], listed by [`super::build`] above the providers.

use crate::config::Secrets;
use crate::failure::FailureKind;
use serde_json::{json, Value};

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

/// The description of one provider.
pub struct ProviderSpec {
    /// `provider` in the configuration (`okta`).
    pub name: &'static str,
    /// The PowerShell label: `-Provider` value and parameter-set name (`Okta`).
    pub label: &'static str,
    /// How people call it in a sentence (`MFA Server`, `RADIUS`).
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

/// A client certificate (for a provider that authenticates itself with one: MFA Server,
/// privacyIDEA), checked alike by `ClientConfig::check_client_tls`: the certificate file...
pub const CLIENT_CERTIFICATE_FILE: Field = field(
    "clientCertificateFile",
    "ClientCertificateFile",
    ValueKind::Path,
    false,
);
/// ...its key file (PEM)...
pub const CLIENT_KEY_FILE: Field = field("clientKeyFile", "ClientKeyFile", ValueKind::Path, false);
/// ...and the password of a PKCS#12 file.
pub const CLIENT_CERTIFICATE_PASSWORD: Secret = secret(
    2,
    "clientCertificatePassword",
    "ClientCertificatePassword",
    SecretSource::SecureString,
    false,
    |s| s.client_certificate_password.is_some(),
    "",
);

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
