//! A failed Okta call ([`CallError`]): the engine's one error type (`crate::error::Error`),
//! named here for the calls (`api`) and the credential (`auth`, which `api` carries), so
//! neither imports the other to name it.

pub use crate::error::Error as CallError;
