//! The one lazily created multi-thread tokio runtime that runs every request.

use crate::result::{fail, mfa_result};
use std::sync::OnceLock;
use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, created on first use (two worker threads: requests are I/O bound).
pub fn get() -> Result<&'static Runtime, mfa_result> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("mfa-approval")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            fail(
                mfa_result::MFA_RUNTIME_FAILED,
                format!("cannot start the background runtime: {e}"),
            )
        })
}
