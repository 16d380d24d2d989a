//! The Duo provider (Auth API v2): signing ([`sign`]).
pub mod sign;
