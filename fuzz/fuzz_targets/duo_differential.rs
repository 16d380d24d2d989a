//! Differential for Duo: whenever the engine's `auth_status` reading decides Approved, an
//! independent strict parse of the same bytes (no serde; written from RFC 8259 and Duo's
//! contract alone) agrees: one document, no repeated key, one stat=OK, one response, one
//! result=allow, one status=allow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::testing::decide_duo_status_body as auth_status_body;
use mfa_engine::Status;

#[allow(dead_code)]
#[path = "../../rust/engine/tests/common/strict_json.rs"]
mod strict_json;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(d)) = auth_status_body(data, false) {
        if d.status == Status::Approved {
            assert!(
                strict_json::is_approval(data),
                "the engine approved what the strict check does not: {:?}",
                String::from_utf8_lossy(data)
            );
        }
    }
});
