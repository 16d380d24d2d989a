//! The MfaApproval engine: asks an MFA provider to push an approval to a user and
//! reports a typed, fail-closed [`Outcome`].
//!
//! Layers (one concern each):
//! - [`config`]: the client configuration (JSON-friendly) and its validation;
//! - [`request`]: what one approval or query asks for, validated;
//! - [`outcome`]: the typed result and the CallResult table (fail closed);
//! - [`xml`] and [`soap`]: the SOAP 1.1 writer and the bounded, strict-where-it-decides reader;
//! - [`next_step`]: the `Next:` sentence every failure kind's message ends with;
//! - [`redact`]: server text bounded, cleaned and redacted of secrets before any message;
//! - [`tls`] and [`transport`]: one reusable HTTPS client per configuration, pinning,
//!   extra CA, client certificates, caller authentication;
//! - [`provider`] and [`mfaserver`]: the provider interface and the Azure MFA Server
//!   Web Service SDK provider;
//! - [`client`]: the façade the C ABI uses;
//! - [`capabilities`]: the lists and limits hosts read instead of copying rules.
//!
//! This crate contains no `unsafe` code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit;
pub mod capabilities;
pub mod client;
pub mod codes;
pub mod config;
pub mod duo;
pub mod mfaserver;
pub mod next_step;
pub mod outcome;
pub mod progress;
pub mod provider;
pub mod proxy;
pub mod redact;
pub mod request;
pub mod soap;
pub mod tls;
pub mod transport;
pub mod xml;

pub use client::Client;
pub use config::{ClientConfig, ConfigError, Secrets};
pub use outcome::{Outcome, Status};
pub use request::{Operation, Query};
