//! Result numbers, status numbers and the per-thread last error message.

use crate::buffers::copy_out;
use std::cell::RefCell;

/// What a call did. The numbers never change; retired numbers are never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mfa_result {
    /// Success.
    MFA_OK = 0,
    /// A required pointer argument was NULL (the message names it).
    MFA_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    MFA_INVALID_UTF8 = 2,
    /// The client configuration or a secret was rejected (the message names the field).
    MFA_INVALID_CONFIG = 3,
    /// The request JSON was rejected (the message names the field).
    MFA_INVALID_REQUEST = 4,
    /// The output buffer is too small; `*len_out` holds the needed length.
    MFA_BUFFER_TOO_SMALL = 5,
    /// The request has not finished yet; no outcome to read.
    MFA_PENDING = 6,
    /// `mfa_request_start` was called on a request that was already started or cancelled.
    MFA_ALREADY_STARTED = 7,
    /// The request was never started.
    MFA_NOT_STARTED = 8,
    /// The background runtime could not be created.
    MFA_RUNTIME_FAILED = 9,
    /// An argument had an invalid value (the message names it).
    MFA_INVALID_ARGUMENT = 10,
    /// An internal error (a caught panic). The library stays usable.
    MFA_PANIC = 99,
}

/// Poll status: the request is still running.
pub const MFA_STATUS_PENDING: u32 = 0;
/// The provider explicitly reported a recognised "authenticated" answer.
pub const MFA_STATUS_APPROVED: u32 = 1;
/// The user refused.
pub const MFA_STATUS_DENIED: u32 = 2;
/// The user reported fraud.
pub const MFA_STATUS_FRAUD_REPORTED: u32 = 3;
/// Nobody answered in time.
pub const MFA_STATUS_TIMED_OUT: u32 = 4;
/// Anything else went wrong; never an approval.
pub const MFA_STATUS_FAILED: u32 = 5;
/// The host cancelled.
pub const MFA_STATUS_CANCELLED: u32 = 6;
/// A query (not an approval) finished; read the outcome JSON.
pub const MFA_STATUS_COMPLETED: u32 = 7;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the message for `mfa_last_error` on this thread and returns `code`.
pub fn fail(code: mfa_result, message: impl Into<String>) -> mfa_result {
    let message = message.into();
    LAST_ERROR.with(|e| *e.borrow_mut() = message);
    code
}

/// Copies the message of the last failed call on this thread (UTF-8, no NUL) into `buf`.
///
/// Writes `*len_out` (the message length) on `MFA_OK` and `MFA_BUFFER_TOO_SMALL`; `buf`
/// is written only on `MFA_OK`. `buf` may be NULL when `buf_len` is 0 (to ask the length).
/// The message stays until the next failing call on this thread (this function never
/// replaces it).
///
/// # Safety
/// `buf` must be writable for `buf_len` bytes (or NULL with `buf_len` 0); `len_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_last_error(
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    crate::panic::guard(|| {
        let message = LAST_ERROR.with(|e| e.borrow().clone());
        // SAFETY: the caller promises `buf` holds `buf_len` writable bytes and `len_out` is writable.
        unsafe { copy_out(message.as_bytes(), buf, buf_len, len_out) }
    })
}

/// Reads this thread's last error (for Rust tests and hosts linking the rlib).
pub fn last_error() -> String {
    LAST_ERROR.with(|e| e.borrow().clone())
}
