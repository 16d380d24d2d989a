//! The C ABI of MfaApproval: the only door into the engine for PowerShell, C, Python
//! ctypes and C#. Thin by design: handles, result codes, the panic boundary, buffers.
//!
//! - [`result`]: the numbered `mfa_result` enum, status numbers, `mfa_last_error`;
//! - [`panic`]: the panic boundary every export goes through;
//! - [`buffers`]: reading caller buffers and writing output buffers;
//! - [`runtime`]: the one lazily created multi-thread tokio runtime;
//! - [`client`]: `mfa_client_new` / `mfa_client_free`;
//! - [`request`]: `mfa_request_new` / `_start` / `_poll` / `_cancel` / `_outcome` / `_free`;
//! - [`check`]: `mfa_capabilities`, `mfa_config_check`, `mfa_request_check` (ABI 2);
//! - [`progress`]: `mfa_request_progress` (ABI 3).
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

pub mod buffers;
pub mod check;
pub mod client;
pub mod panic;
pub mod progress;
pub mod request;
pub mod result;
pub mod runtime;

pub use check::*;
pub use client::*;
pub use progress::*;
pub use request::*;
pub use result::*;

/// The ABI version this library implements. Hosts must check
/// `mfa_abi_version() == MFA_ABI_VERSION` before calling anything else.
///
/// History: 1 = client, request, last error; 2 = adds `mfa_capabilities`,
/// `mfa_config_check` and `mfa_request_check`; 3 = adds `mfa_request_progress`, the secret
/// kinds `MFA_SECRET_DUO_SECRET_KEY` and `MFA_SECRET_PROXY_PASSWORD`, and the `duo`
/// provider (nothing earlier changed). The `radius` provider and the secret kinds
/// `MFA_SECRET_RADIUS_SHARED_SECRET` (5) and `MFA_SECRET_RADIUS_PASSWORD` (6) are additive
/// (an older library refuses the kinds as unknown, so a host fails closed).
pub const MFA_ABI_VERSION: u32 = 3;

/// Returns the ABI version of the loaded library ([`MFA_ABI_VERSION`] it was built with).
/// Never fails. Thread-safe.
#[no_mangle]
pub extern "C" fn mfa_abi_version() -> u32 {
    MFA_ABI_VERSION
}
