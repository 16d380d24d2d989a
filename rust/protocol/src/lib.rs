//! The wire formats MfaApproval speaks, in one place for the engine (which reads answers
//! and decides) and the simulator (which reads requests and answers): one reader and one
//! writer per format, so the two can never disagree about a byte.
//!
//! - [`xml`]: the bounded XML tree reader (namespaces resolved, XML 1.0 rules, limits);
//! - [`soap`]: SOAP 1.1 for the MFA Server Web Service SDK (`PfWsSdk`): the request
//!   writer, the strict response reader, the SDK's enumerations;
//! - [`json`]: the strict JSON reader of every JSON provider (duplicate keys refused, bounded);
//! - [`codes`]: the SDK's CallResult table and what each code means to an approval;
//! - [`duo`]: Duo Auth API request signing (v2, v5) and parameter encodings;
//! - [`radius`]: RADIUS (RFC 2865, RFC 3579): Access-Request, answers checked strictly;
//! - [`time`]: RFC 2822 and RFC 3339 dates;
//! - [`text`]: bounding text taken from the wire;
//! - [`limits`]: the sizes every reader holds to.
//!
//! Nothing here decides an approval: the engine does, from what these readers return.
//! This crate contains no `unsafe` code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod codes;
pub mod duo;
pub mod json;
pub mod limits;
pub mod radius;
pub mod soap;
pub mod text;
pub mod time;
pub mod xml;
