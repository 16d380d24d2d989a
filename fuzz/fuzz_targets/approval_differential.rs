//! Differential: whenever the engine's reader says Approved, an independent strict check
//! of the same bytes (another XML parser, written from the contract alone) agrees.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::mfaserver::read_auth_answer;
use mfa_engine::outcome::decide;
use mfa_engine::redact::Redactor;
use mfa_engine::transport::HttpAnswer;
use mfa_engine::Status;

#[path = "../../rust/engine/tests/common/strict.rs"]
mod strict;

fuzz_target!(|data: &[u8]| {
    let answer = HttpAnswer { status: 200, body: data.to_vec(), calls: 1 };
    if let Ok(a) = read_auth_answer(&answer, "PfAuthUser_4", &Redactor::default()) {
        if decide(&a).0 == Status::Approved {
            assert!(
                strict::is_approval(data, "PfAuthUser_4"),
                "the engine approved what the strict check does not: {:?}",
                String::from_utf8_lossy(data)
            );
        }
    }
});
