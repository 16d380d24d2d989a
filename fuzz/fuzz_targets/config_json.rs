//! The client configuration JSON: parsing and validation never panic, and an error never
//! contains the password secret.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::{ClientConfig, Secrets};

fuzz_target!(|data: &[u8]| {
    if let Ok(config) = ClientConfig::from_json(data) {
        let secrets = Secrets {
            basic_password: Some("hunter2-secret".to_string().into()),
            ..Default::default()
        };
        if let Err(e) = config.validate(&secrets) {
            assert!(!e.to_string().contains("hunter2-secret"));
        }
    }
});
