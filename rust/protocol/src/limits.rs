//! The sizes every reader of a provider's answer holds to (the XML reader's own limits are
//! [`crate::xml::Limits`]).

/// Largest HTTP response body read from a provider (a SOAP or JSON answer is a few KiB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
