//! Caller buffers: UTF-8 input slices and length-reporting output buffers.

use crate::result::{fail, mfa_result};

/// Borrows `len` bytes at `ptr` as UTF-8, naming `what` in errors. A NULL pointer is
/// accepted only with `len == 0`.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid and unchanged for `'a`.
pub unsafe fn utf8<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, mfa_result> {
    let bytes: &[u8] = if len == 0 {
        &[]
    } else if ptr.is_null() {
        return Err(fail(
            mfa_result::MFA_NULL_ARGUMENT,
            format!("{what}: NULL pointer with length {len}"),
        ));
    } else {
        // SAFETY: non-null and the caller promises `len` readable bytes.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    };
    std::str::from_utf8(bytes).map_err(|e| {
        fail(
            mfa_result::MFA_INVALID_UTF8,
            format!("{what}: not valid UTF-8 ({e})"),
        )
    })
}

/// Writes `data` to `buf` when it fits; `*len_out` gets `data.len()` on `MFA_OK` and on
/// `MFA_BUFFER_TOO_SMALL`; `buf` is written only on `MFA_OK`. Failures are recorded for
/// `mfa_last_error`.
///
/// # Safety
/// As [`copy_out`].
pub unsafe fn write_output(
    data: &[u8],
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    // SAFETY: forwarded caller contract.
    let r = unsafe { copy_out(data, buf, buf_len, len_out) };
    match r {
        mfa_result::MFA_OK => r,
        mfa_result::MFA_BUFFER_TOO_SMALL => fail(
            r,
            format!("buf: {} bytes needed, {buf_len} given", data.len()),
        ),
        _ => fail(r, "len_out or buf: NULL pointer"),
    }
}

/// [`write_output`] without touching the last error (used by `mfa_last_error` itself).
///
/// # Safety
/// `buf` must hold `buf_len` writable bytes (it may be NULL when `buf_len` is 0);
/// `len_out` must be NULL or writable.
pub unsafe fn copy_out(
    data: &[u8],
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    if len_out.is_null() {
        return mfa_result::MFA_NULL_ARGUMENT;
    }
    if data.len() > buf_len {
        // SAFETY: checked non-null; the caller promises it is writable.
        unsafe { *len_out = data.len() };
        return mfa_result::MFA_BUFFER_TOO_SMALL;
    }
    if !data.is_empty() {
        if buf.is_null() {
            return mfa_result::MFA_NULL_ARGUMENT;
        }
        // SAFETY: `buf` holds at least `buf_len >= data.len()` writable bytes; regions cannot overlap.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    }
    // SAFETY: checked non-null above.
    unsafe { *len_out = data.len() };
    mfa_result::MFA_OK
}

/// Fails with `MFA_NULL_ARGUMENT` naming `what` when `ptr` is NULL.
pub fn non_null<T>(ptr: *const T, what: &str) -> Result<(), mfa_result> {
    if ptr.is_null() {
        Err(fail(
            mfa_result::MFA_NULL_ARGUMENT,
            format!("{what}: NULL pointer"),
        ))
    } else {
        Ok(())
    }
}
