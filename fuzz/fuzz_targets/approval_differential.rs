//! Differential: whenever the engine's reader says Approved, an independent strict check
//! of the same bytes (another XML parser, written from the contract alone) agrees.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::testing::decide_soap_answer;
use mfa_engine::Status;

#[path = "../../rust/engine/tests/common/strict.rs"]
mod strict;

fuzz_target!(|data: &[u8]| {
    if decide_soap_answer(data) == Ok(Status::Approved) {
        assert!(
            strict::is_approval(data, "PfAuthUser_4"),
            "the engine approved what the strict check does not: {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
