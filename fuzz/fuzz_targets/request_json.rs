//! The request JSON: parsing and validation never panic; an accepted request has a
//! usable deadline.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::Query;

fuzz_target!(|data: &[u8]| {
    if let Ok(q) = Query::from_json(data) {
        let d = q.deadline();
        assert!(d.as_secs_f64() > 0.0 && d.as_secs_f64() <= 86_400.0);
    }
});
