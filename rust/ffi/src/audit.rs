//! `mfa_audit_verify` (ABI 5): checks an audit file's hash chain (and MACs, with the audit
//! key) for C hosts, Python ctypes and the cmdlets alike; the engine verifies, this only
//! marshals.

use crate::buffers::{non_null, utf8, write_output};
use crate::panic::guard;
use crate::result::{fail, mfa_result};
use crate::MFA_SECRET_AUDIT_KEY;

/// The longest report `mfa_audit_verify` writes (bytes): a buffer this large always fits,
/// so the file is read once.
pub const MFA_AUDIT_REPORT_MAX_LEN: usize = 4096;

/// Verifies the audit file at `path` (UTF-8, `path_len` bytes) and copies the report, a
/// UTF-8 JSON object (no NUL), into `buf`: `valid` (the whole file is one valid chain),
/// `records` (lines after the header), `firstBadRecord` (the sequence number of the first
/// bad record, or null), `reason` (`edited`, `removed`, `reordered`, `inserted`, `badMac`,
/// `truncated`, or null), `message` (one sentence), `keyed` (MACs were checked), `keyId`
/// (the header's, when the file was written with a key), `lastSeq` and `lastHash` (the
/// last valid record and its line's SHA-256: keep them elsewhere to catch records cut from
/// the end). `secrets`/`secrets_len`: NULL/0, or one secret of kind
/// `MFA_SECRET_AUDIT_KEY` to check every record's MAC.
///
/// The file is read once, streaming, in constant memory, on the calling thread (about a
/// million records a second; a long file blocks this call that long). Symbolic links are
/// not followed; a FIFO or device is refused.
///
/// Returns `MFA_OK` (a report, valid or not; writes `buf` and `*len_out`),
/// `MFA_BUFFER_TOO_SMALL` (writes only `*len_out`; a buffer of `MFA_AUDIT_REPORT_MAX_LEN`
/// bytes always fits), `MFA_INVALID_ARGUMENT` (the file cannot be read, or another secret
/// kind; the message says which), `MFA_NULL_ARGUMENT`, `MFA_INVALID_UTF8`. Thread-safe.
///
/// # Safety
/// `path` valid for `path_len` bytes; `secrets` as for `mfa_client_new`; `buf` writable for
/// `buf_len` bytes (NULL when `buf_len` is 0); `len_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_audit_verify(
    path: *const u8,
    path_len: usize,
    secrets: *const crate::mfa_secret,
    secrets_len: usize,
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(len_out, "len_out") {
            return e;
        }
        // SAFETY: the caller promises a valid buffer.
        let path = match unsafe { utf8(path, path_len, "path") } {
            Ok(p) if !p.is_empty() => p.to_owned(),
            Ok(_) => return fail(mfa_result::MFA_INVALID_ARGUMENT, "path: empty"),
            Err(e) => return e,
        };
        // SAFETY: forwarded caller contract for the secrets array.
        let key = match unsafe { audit_key(secrets, secrets_len) } {
            Ok(k) => k,
            Err(e) => return e,
        };
        let report =
            match mfa_engine::audit::verify::verify_file(std::path::Path::new(&path), key.as_ref())
            {
                Ok(r) => r,
                Err(e) => {
                    return fail(
                        mfa_result::MFA_INVALID_ARGUMENT,
                        format!("path: cannot read the audit file '{path}': {e}"),
                    )
                }
            };
        let mut json = serde_json::to_vec(&report).unwrap_or_else(|_| {
            br#"{"valid":false,"message":"the report could not be written"}"#.to_vec()
        });
        if json.len() > MFA_AUDIT_REPORT_MAX_LEN {
            json = br#"{"valid":false,"message":"the report was too long"}"#.to_vec();
        }
        // SAFETY: forwarded caller contract.
        unsafe { write_output(&json, buf, buf_len, len_out) }
    })
}

/// The audit key among `secrets` (only that kind is accepted), ready to verify MACs.
///
/// # Safety
/// As `mfa_client_new`'s secrets.
unsafe fn audit_key(
    secrets: *const crate::mfa_secret,
    len: usize,
) -> Result<Option<mfa_engine::audit::chain::Key>, mfa_result> {
    if len == 0 {
        return Ok(None);
    }
    non_null(secrets, "secrets")?;
    // SAFETY: non-null and the caller promises `len` elements.
    let items = unsafe { std::slice::from_raw_parts(secrets, len) };
    if let Some((i, s)) = items
        .iter()
        .enumerate()
        .find(|(_, s)| s.kind != MFA_SECRET_AUDIT_KEY)
    {
        return Err(fail(
            mfa_result::MFA_INVALID_ARGUMENT,
            format!(
                "secrets[{i}].kind: {} is not MFA_SECRET_AUDIT_KEY ({MFA_SECRET_AUDIT_KEY}), the only kind mfa_audit_verify uses",
                s.kind
            ),
        ));
    }
    // SAFETY: forwarded caller contract.
    let read = unsafe { crate::client::read_secrets(secrets, len)? };
    Ok(read
        .audit_key
        .as_ref()
        .map(|k| mfa_engine::audit::chain::Key::new(k.as_bytes())))
}
