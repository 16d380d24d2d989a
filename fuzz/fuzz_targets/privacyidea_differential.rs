//! Differential for privacyIDEA's final check: whenever the engine reads a `/validate/check`
//! body as an approval, an independent strict parse of the same bytes (no serde; written from
//! RFC 8259 and privacyIDEA's answer alone) agrees: one document, no repeated key, at most one
//! `nonce` and it is the call's, one `result` with `status` true, `value` true and
//! `authentication` ACCEPT, and no other token's serial in `detail`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::testing::decide_privacyidea_check_body as decide;
use mfa_engine::Status;

#[path = "../../rust/engine/tests/common/strict_json.rs"]
mod strict_json;

const NONCE: &str = "n3";
const SERIAL: &str = "PIPU0000620C";

fuzz_target!(|data: &[u8]| {
    if decide(data, NONCE, &[SERIAL.to_owned()], None) == Ok(Status::Approved) {
        assert!(
            strict_json::is_privacyidea_approval(data, NONCE, &[SERIAL]),
            "the engine approved what the strict check does not: {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
