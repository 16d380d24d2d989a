//! The SOAP answer reader on arbitrary bytes, under every HTTP status the engine treats
//! differently: never a panic, and an approval only from a 200.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::mfaserver::read_auth_answer;
use mfa_engine::outcome::decide;
use mfa_engine::redact::Redactor;
use mfa_engine::transport::HttpAnswer;
use mfa_engine::Status;

fuzz_target!(|data: &[u8]| {
    let redactor = Redactor::new(Some("svc"), &["hunter2"]);
    for status in [200u16, 401, 500] {
        let answer = HttpAnswer { status, body: data.to_vec(), calls: 1 };
        match read_auth_answer(&answer, "PfAuthUser_4", &redactor) {
            Ok(a) => {
                let (s, message) = decide(&a);
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
