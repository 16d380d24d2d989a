//! The C ABI of MfaApproval: the only door into the engine for PowerShell, C, Python
//! ctypes and C#. Thin by design: handles, result codes, the panic boundary, buffers.
//!
//! - [`result`]: the numbered `mfa_result` enum, status numbers, `mfa_last_error`;
//! - [`panic`]: the panic boundary every export goes through;
//! - [`buffers`]: reading caller buffers and writing output buffers;
//! - [`runtime`]: the one lazily created multi-thread tokio runtime;
//! - [`client`]: `mfa_client_new` / `mfa_client_free`;
//! - [`request`]: `mfa_request_new` / `_start` / `_poll` / `_cancel` / `_expire` (ABI 4) /
//!   `_outcome` / `_free`;
//! - [`check`]: `mfa_capabilities`, `mfa_config_check`, `mfa_request_check` (ABI 2);
//! - [`progress`]: `mfa_request_progress` (ABI 3);
//! - [`audit`]: `mfa_audit_verify` (ABI 5); `eventlog` (Windows only): the Event Log
//!   writer the engine's audit trail is given.
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

pub mod audit;
pub mod buffers;
pub mod check;
pub mod client;
#[cfg(windows)]
mod eventlog;
pub mod panic;
pub mod progress;
pub mod request;
pub mod result;
pub mod runtime;

pub use audit::*;
pub use check::*;
pub use client::*;
pub use progress::*;
pub use request::*;
pub use result::*;

/// The ABI version this library implements.
///
/// Versioning rule: versions within one SONAME major (`libmfa_approval.so.1`,
/// `mfa_approval.dll` of major 1) are additive: nothing a version defines is removed or
/// changes meaning later, so a host built for version N runs with any library reporting
/// `mfa_abi_version() >= N` (and must refuse a smaller one). A breaking change changes
/// the SONAME major instead.
///
/// History: 1 = client, request, last error; 2 = adds `mfa_capabilities`,
/// `mfa_config_check` and `mfa_request_check`; 3 = adds `mfa_request_progress`, the secret
/// kinds `MFA_SECRET_DUO_SECRET_KEY` and `MFA_SECRET_PROXY_PASSWORD`, and the `duo`
/// provider; 4 = approvals decided in the engine: the request fields `approvers`,
/// `require`, `excludeUserNames`, the outcome fields `require`, `needed`, `decidedBy`,
/// `approvers`, and `mfa_request_expire`; the `radius` provider with the secret kinds
/// `MFA_SECRET_RADIUS_SHARED_SECRET` (5) and `MFA_SECRET_RADIUS_PASSWORD` (6); the `okta`
/// provider with `MFA_SECRET_OKTA_API_TOKEN` (7) and `MFA_SECRET_OKTA_PRIVATE_KEY` (8);
/// 5 = four eyes by identity (the outcome fields `identityCheck` and
/// `approvers[i].identity`, the configuration field `allowNameOnlyIdentity`, the failure kind
/// `identity`, the progress stage `resolving`), the audit trail an auditor can trust
/// (hash-chained audit records, the secret kind `MFA_SECRET_AUDIT_KEY` (9), the configuration
/// fields `syslogServer`, `syslogCaCertificateFile`, `syslogCertificateSha256`,
/// `auditRequired` and `eventLog`, and `mfa_audit_verify`), the outcome field `pushWithdrawn`
/// (at the top and per approver: whether a push left waiting was withdrawn), and the
/// `privacyidea` provider (its
/// configuration fields `realm` and `responseSigningKeyFile`; the service account's password is
/// `MFA_SECRET_BASIC_PASSWORD`), the provider registry in `mfa_capabilities`
/// (`providerDetails`: per provider its label, fields and the parameters that set them, secret
/// kinds, capabilities, code sentence; a configuration field another provider owns is refused
/// naming it), and progress that counts approvers (the progress fields
/// `approvers` (each one's stage, status and code), `needed`, `answered` and `pending`, and
/// `done` written once by the end of the request, never by a provider) (nothing earlier
/// changed).
pub const MFA_ABI_VERSION: u32 = 5;

/// Returns the ABI version of the loaded library ([`MFA_ABI_VERSION`] it was built with).
/// Never fails. Thread-safe.
#[no_mangle]
pub extern "C" fn mfa_abi_version() -> u32 {
    MFA_ABI_VERSION
}
