//! The SOAP answer reader on arbitrary bytes, under every HTTP status the engine treats
//! differently: never a panic, and an approval only from a 200.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::testing::read_soap_answer;
use mfa_engine::Status;

fuzz_target!(|data: &[u8]| {
    for status in [200u16, 401, 500] {
        match read_soap_answer(status, data, Some("svc"), &["hunter2"]) {
            Ok((s, message)) => {
                assert!(status == 200 || s != Status::Approved);
                assert!(!message.contains("hunter2"));
            }
            Err((_, message)) => {
                assert!(!message.contains("hunter2"));
                assert!(message.chars().count() < 1_000);
            }
        }
    }
});
