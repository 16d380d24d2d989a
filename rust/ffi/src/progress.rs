//! `mfa_request_progress` (ABI 3): what a pending request is doing now.

use crate::buffers::{non_null, write_output};
use crate::panic::guard;
use crate::request::mfa_request;
use crate::result::mfa_result;

/// Copies the request's latest progress, a UTF-8 JSON object (no NUL), into `buf`:
/// `stage` (`""` before start, then `started`, `resolving` (ABI 5: an approval asking the
/// provider who its names are), `checking`, `pushed`, `waiting`, `done`; it never moves
/// back; `done` is written once, by the end of the request, with the outcome's message,
/// never by a provider), `message` (the latest status text, bounded
/// and scrubbed; with several approvers it starts with the approver's name), `code`
/// (present when the user must enter or pick a code on their device: Duo Verified Push,
/// Okta's number challenge; show it to the person who asked), `codes` (with several
/// approvers: each approver's code by user name, once it has one), `updates` (how many
/// times it changed) and `stages` (every stage reached so far, in order: `started` first,
/// `done` last). An approval (ABI 5) adds `approvers` (in request order: `userName`,
/// `stage`, `message`, `code` once given, `status` once they answered or the request
/// ended), `needed` (approvals needed), `answered` (how many answered) and `pending` (the
/// user names still waited on; empty at `done`), all there as soon as `mfa_request_start`
/// returns. Readable at any time, also while the request is pending; the outcome stays
/// the only decision.
///
/// Returns `MFA_OK` (writes `buf` and `*len_out`), `MFA_BUFFER_TOO_SMALL` (writes only
/// `*len_out`) or `MFA_NULL_ARGUMENT`. `buf` may be NULL when `buf_len` is 0. Thread-safe.
///
/// # Safety
/// `request` must be a live request; `buf` writable for `buf_len` bytes; `len_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_progress(
    request: *const mfa_request,
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(request, "request") {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        let request = unsafe { &*request };
        let json = serde_json::to_vec(&request.shared.progress.snapshot()).unwrap_or_default();
        // SAFETY: forwarded caller contract.
        unsafe { write_output(&json, buf, buf_len, len_out) }
    })
}
