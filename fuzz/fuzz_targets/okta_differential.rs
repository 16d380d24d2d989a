//! Differential for Okta: the engine's exact readings of a verify answer and of a poll
//! answer, against an independent strict parse of the same bytes (no serde; written from
//! RFC 8259 and Okta's contract alone: `rust/engine/tests/common/strict_json.rs`).
//!
//! - whenever the engine approves a poll answer, the strict parse sees one document, no
//!   repeated key, exactly one `factorResult` = `SUCCESS`, and no poll link but this
//!   transaction's;
//! - whenever the engine takes a verify answer as a push to wait for, the strict parse sees
//!   exactly one `factorResult` = `WAITING` and the same poll link, cancel link and number.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mfa_engine::testing::{decide_okta_poll_body, read_okta_verify_body};
use mfa_engine::Status;

#[allow(dead_code)]
#[path = "../../rust/engine/tests/common/strict_json.rs"]
mod strict_json;

const POLL: &str = "https://contoso.okta.com/api/v1/users/00u1/factors/opf1/transactions/v2mst.1";

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(Status::Approved)) = decide_okta_poll_body(200, data, POLL) {
        assert!(
            strict_json::is_okta_approval(data),
            "the engine approved what the strict check does not: {:?}",
            String::from_utf8_lossy(data)
        );
        let link = strict_json::okta_poll_link(data);
        assert!(
            matches!(&link, Some(None)) || matches!(&link, Some(Some(l)) if l == POLL),
            "the engine approved an answer naming another transaction: {:?}",
            String::from_utf8_lossy(data)
        );
    }
    if let Ok((poll, cancel, number)) = read_okta_verify_body(201, data) {
        let strict = strict_json::okta_verify(data);
        assert_eq!(
            strict,
            Some((poll, cancel, number.map(i64::from))),
            "the engine read a verify answer the strict check reads otherwise: {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
