//! The panic boundary: a panic unwinding into `extern "C"` would abort the host
//! (pwsh, the MIM Service), so every export runs its body through [`guard`].

use crate::result::{fail, mfa_result};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `MFA_PANIC` with a message.
pub fn guard(f: impl FnOnce() -> mfa_result) -> mfa_result {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        fail(
            mfa_result::MFA_PANIC,
            "internal error: a panic was caught at the C ABI boundary",
        )
    })
}

/// Runs `f` for exports that return nothing (the `_free` functions); a panic is swallowed.
pub fn guard_void(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_mfa_panic_with_a_message() {
        assert_eq!(guard(|| panic!("boom")), mfa_result::MFA_PANIC);
        assert!(crate::result::last_error().contains("panic"));
        assert_eq!(guard(|| mfa_result::MFA_OK), mfa_result::MFA_OK);
        guard_void(|| panic!("boom"));
    }
}
