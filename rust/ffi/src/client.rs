//! `mfa_client`: a configured provider, reused across requests.

use crate::buffers::{non_null, utf8};
use crate::panic::{guard, guard_void};
use crate::result::{fail, mfa_result};
use mfa_engine::{Client, ClientConfig, Secrets};
use zeroize::Zeroizing;

/// Secret kind: the HTTP Basic password (for `userName` in the configuration); for a provider
/// that signs in a service account (see `mfa_capabilities`' `providerDetails`), its password.
pub const MFA_SECRET_BASIC_PASSWORD: u32 = 1;
/// Secret kind: the password of a PKCS#12 client certificate.
pub const MFA_SECRET_CLIENT_CERTIFICATE_PASSWORD: u32 = 2;
/// Secret kind: a Duo integration's secret key (provider `duo`).
pub const MFA_SECRET_DUO_SECRET_KEY: u32 = 3;
/// Secret kind: the password for `proxyUserName` (an explicit proxy URL).
pub const MFA_SECRET_PROXY_PASSWORD: u32 = 4;
/// Secret kind: a RADIUS shared secret (provider `radius`).
pub const MFA_SECRET_RADIUS_SHARED_SECRET: u32 = 5;
/// Secret kind: the PAP password sent to a RADIUS server (provider `radius`,
/// `passwordMode: fixed`).
pub const MFA_SECRET_RADIUS_PASSWORD: u32 = 6;
/// Secret kind: an Okta API token (provider `okta`, sent as `Authorization: SSWS ...`).
pub const MFA_SECRET_OKTA_API_TOKEN: u32 = 7;
/// Secret kind: an Okta service app's private key, PEM (provider `okta` with `clientId`).
pub const MFA_SECRET_OKTA_PRIVATE_KEY: u32 = 8;
/// Secret kind: the audit key (at least 16 characters): every audit record carries an
/// HMAC-SHA256 with it, so a record forged or rewritten without it is found by
/// `mfa_audit_verify` (ABI 5).
pub const MFA_SECRET_AUDIT_KEY: u32 = 9;

/// A secret passed beside the JSON configuration, as UTF-8 bytes. The library copies it,
/// uses it, and zeroizes its copy; the host should clear its own buffer after the call.
#[repr(C)]
pub struct mfa_secret {
    /// One of the `MFA_SECRET_*` kinds.
    pub kind: u32,
    /// The secret's UTF-8 bytes (may be NULL when `len` is 0).
    pub data: *const u8,
    /// Its length in bytes.
    pub len: usize,
}

/// A configured client: provider, connection pool, TLS settings, credentials.
/// Thread-safe; share one across many requests. Opaque.
pub struct mfa_client {
    pub(crate) client: Client,
}

/// Builds a client from a UTF-8 JSON configuration and an array of secrets.
///
/// `config_json`/`config_json_len`: the configuration (see the README: `uri`, `userName`,
/// `serverCertificateSha256`, `caCertificateFile`, `clientCertificateFile`, ...).
/// `secrets`/`secrets_len`: an array of `mfa_secret` (may be NULL when `secrets_len` is 0).
/// Certificate files are read now, so file and password problems surface here.
///
/// Returns `MFA_OK` and writes `*client_out` (free it with `mfa_client_free`), or
/// `MFA_NULL_ARGUMENT`, `MFA_INVALID_UTF8`, `MFA_INVALID_ARGUMENT` (unknown secret kind),
/// `MFA_INVALID_CONFIG` (the message names the field). Thread-safe.
///
/// # Safety
/// Pointers must be valid for their lengths for the duration of the call; `client_out`
/// must be writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_client_new(
    config_json: *const u8,
    config_json_len: usize,
    secrets: *const mfa_secret,
    secrets_len: usize,
    client_out: *mut *mut mfa_client,
) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(client_out, "client_out") {
            return e;
        }
        // SAFETY: the caller promises valid buffers.
        let json = match unsafe { utf8(config_json, config_json_len, "config_json") } {
            Ok(s) => s,
            Err(e) => return e,
        };
        // SAFETY: as above, for the secrets array and each secret's bytes.
        let secrets = match unsafe { read_secrets(secrets, secrets_len) } {
            Ok(s) => s,
            Err(e) => return e,
        };
        let config = match ClientConfig::from_json(json.as_bytes()) {
            Ok(c) => c,
            // Redacted of the secrets given beside it (one typed into a field is not repeated).
            Err(e) => {
                return fail(
                    mfa_result::MFA_INVALID_CONFIG,
                    Client::scrub_with(&secrets, &e.to_string()),
                )
            }
        };
        let runtime = match crate::runtime::get() {
            Ok(r) => r,
            Err(e) => return e,
        };
        let _entered = runtime.enter();
        let events = match event_log(&config) {
            Ok(e) => e,
            Err(e) => return fail(mfa_result::MFA_INVALID_CONFIG, e),
        };
        match Client::new_with_event_log(&config, secrets, events) {
            Ok(client) => {
                // SAFETY: checked non-null; the caller promises it is writable.
                unsafe { *client_out = Box::into_raw(Box::new(mfa_client { client })) };
                mfa_result::MFA_OK
            }
            Err(e) => fail(mfa_result::MFA_INVALID_CONFIG, e.to_string()),
        }
    })
}

/// The Windows Event Log writer for a configuration with `eventLog: true` (Windows only;
/// elsewhere the engine refuses the field).
fn event_log(
    config: &ClientConfig,
) -> Result<Option<std::sync::Arc<dyn mfa_engine::audit::event::EventSink>>, String> {
    #[cfg(windows)]
    {
        if config.event_log {
            return match crate::eventlog::EventLog::open() {
                Ok(log) => Ok(Some(std::sync::Arc::new(log))),
                Err(e) => Err(format!(
                    "eventLog: the Windows Event Log cannot be opened: {e}"
                )),
            };
        }
    }
    let _ = config;
    Ok(None)
}

/// # Safety
/// `secrets` must point to `len` valid `mfa_secret`s whose buffers are valid.
pub(crate) unsafe fn read_secrets(
    secrets: *const mfa_secret,
    len: usize,
) -> Result<Secrets, mfa_result> {
    let mut out = Secrets::default();
    if len == 0 {
        return Ok(out);
    }
    non_null(secrets, "secrets")?;
    // SAFETY: non-null and the caller promises `len` elements.
    let items = unsafe { std::slice::from_raw_parts(secrets, len) };
    for (i, s) in items.iter().enumerate() {
        // SAFETY: the caller promises each secret's buffer is valid.
        let text = unsafe { utf8(s.data, s.len, &format!("secrets[{i}]"))? };
        let value = Some(Zeroizing::new(text.to_owned()));
        let slot = match s.kind {
            MFA_SECRET_BASIC_PASSWORD => &mut out.basic_password,
            MFA_SECRET_CLIENT_CERTIFICATE_PASSWORD => &mut out.client_certificate_password,
            MFA_SECRET_DUO_SECRET_KEY => &mut out.duo_secret_key,
            MFA_SECRET_PROXY_PASSWORD => &mut out.proxy_password,
            MFA_SECRET_RADIUS_SHARED_SECRET => &mut out.radius_shared_secret,
            MFA_SECRET_RADIUS_PASSWORD => &mut out.radius_password,
            MFA_SECRET_OKTA_API_TOKEN => &mut out.okta_api_token,
            MFA_SECRET_OKTA_PRIVATE_KEY => &mut out.okta_private_key,
            MFA_SECRET_AUDIT_KEY => &mut out.audit_key,
            other => {
                return Err(fail(
                    mfa_result::MFA_INVALID_ARGUMENT,
                    format!("secrets[{i}].kind: unknown secret kind {other}"),
                ))
            }
        };
        if slot.is_some() {
            return Err(fail(
                mfa_result::MFA_INVALID_ARGUMENT,
                format!("secrets[{i}].kind: kind {} given twice", s.kind),
            ));
        }
        *slot = value;
    }
    Ok(out)
}

/// Frees a client. NULL is allowed. Requests created from it keep working (they hold
/// their own reference); call once per client.
///
/// # Safety
/// `client` must be NULL or a pointer from `mfa_client_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mfa_client_free(client: *mut mfa_client) {
    guard_void(|| {
        if !client.is_null() {
            // SAFETY: from Box::into_raw in mfa_client_new, freed once (caller contract).
            drop(unsafe { Box::from_raw(client) });
        }
    })
}
