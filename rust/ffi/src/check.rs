//! Validation and capabilities without a client: hosts check a value where the user typed
//! it (a parameter) against the engine's own rules, and read the engine's lists (modes,
//! authentication types, limits) instead of copying them.

use crate::buffers::{utf8, write_output};
use crate::panic::guard;
use crate::result::{fail, mfa_result};
use mfa_engine::{ClientConfig, Query};

/// Copies the capabilities document, a UTF-8 JSON object (no NUL), into `buf`: `providers`,
/// `operations`, `modes`, `initiatingAuthenticationTypes`, `basicModes`, `failureKinds`
/// (every `failureKind` an outcome may carry), `statuses` (ABI 4), `require` (the words
/// `require` takes besides a number; ABI 4) and `limits` {`nameMaxChars`, `secondsMax`,
/// `approversMax` and `defaultTimeoutSeconds` (ABI 4)}; the audit trail's `auditRequired`,
/// `syslogTransports`, `auditReasons` (what `mfa_audit_verify` may report) and `auditEvents`
/// {`source`, `ids`: the Windows Event Log id of each status and of a chain's header} (ABI 5);
/// the provider registry (ABI 5): `providerDetails`, one object per provider in `providers`'
/// order {`name`, `label` (the PowerShell `-Provider` value), `display`, `parameterSets`,
/// `http`, `fields` [{`json`, `parameter`, `value`, `required`}], `secrets` [{`kind` (an
/// `MFA_SECRET_*` number), `name`, `parameter`, `source`, `required`, `settingsKey`, `shown`}],
/// `resolvesIdentity`, `namesOnlyIdentity`, `withdraw`, `codeSentence` (`{0}` the approver,
/// `{1}` the code; null: none), `queries`, `test`, `testSuccess`, `takes` (what follows
/// "-Provider <label> takes"), `hostField` (a field holding a host name from which the engine
/// makes `uri` https://<host>; null: none), `callerField` (the field naming the caller;
/// null: none), `reasonIsPushText` (the reason is the push's text: no `applicationName`
/// from it), `foreignFieldHint` (why another provider's field cannot apply; may be empty)},
/// and `configurationFields` {`common`, `http`}.
/// New members may be added; none is removed within an ABI version.
///
/// Returns `MFA_OK` (writes `buf` and `*len_out`), `MFA_BUFFER_TOO_SMALL` (writes only
/// `*len_out`, the needed length) or `MFA_NULL_ARGUMENT`. `buf` may be NULL when `buf_len`
/// is 0. Thread-safe.
///
/// # Safety
/// `buf` writable for `buf_len` bytes; `len_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_capabilities(
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    guard(|| {
        let json = mfa_engine::capabilities::capabilities().to_string();
        // SAFETY: forwarded caller contract.
        unsafe { write_output(json.as_bytes(), buf, buf_len, len_out) }
    })
}

/// Checks a client configuration (the JSON of `mfa_client_new`) without building a
/// client: every field rule, assuming the secrets match the fields (a `userName` comes
/// with its password). Files are not read.
///
/// Returns `MFA_OK`, or `MFA_INVALID_CONFIG` (the message is `<field>: <problem>`),
/// `MFA_NULL_ARGUMENT`, `MFA_INVALID_UTF8`. Thread-safe.
///
/// # Safety
/// `config_json` valid for `config_json_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mfa_config_check(
    config_json: *const u8,
    config_json_len: usize,
) -> mfa_result {
    guard(|| {
        // SAFETY: the caller promises a valid buffer.
        let json = match unsafe { utf8(config_json, config_json_len, "config_json") } {
            Ok(s) => s,
            Err(e) => return e,
        };
        match ClientConfig::from_json(json.as_bytes()).and_then(|c| c.validate_fields()) {
            Ok(()) => mfa_result::MFA_OK,
            Err(e) => fail(mfa_result::MFA_INVALID_CONFIG, e.to_string()),
        }
    })
}

/// Checks a request (the JSON of `mfa_request_new`) without a client, by the same rules.
///
/// Returns `MFA_OK`, or `MFA_INVALID_REQUEST` (the message is `<field>: <problem>`),
/// `MFA_NULL_ARGUMENT`, `MFA_INVALID_UTF8`. Thread-safe.
///
/// # Safety
/// `request_json` valid for `request_json_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_check(
    request_json: *const u8,
    request_json_len: usize,
) -> mfa_result {
    guard(|| {
        // SAFETY: the caller promises a valid buffer.
        let json = match unsafe { utf8(request_json, request_json_len, "request_json") } {
            Ok(s) => s,
            Err(e) => return e,
        };
        match Query::from_json(json.as_bytes()) {
            Ok(_) => mfa_result::MFA_OK,
            Err(e) => fail(mfa_result::MFA_INVALID_REQUEST, e.to_string()),
        }
    })
}
