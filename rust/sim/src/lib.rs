//! A faithful simulator of the Azure MFA Server Web Service SDK (`PfWsSdk.asmx`) and of
//! Duo's Auth API v2.
//!
//! MFA Server stopped servicing requests in September 2024; this simulator is the
//! target of the demo, the docs and every test. It speaks SOAP 1.1 with the real
//! namespace and SOAPActions, serves a WSDL, authenticates callers as IIS does (HTTP
//! Basic with a 401 challenge, optionally a required client certificate), and answers
//! from a scripted user directory with injectable faults.
//!
//! - [`directory`]: the scripted users (built-in demo users, or a JSON file);
//! - [`ops`]: the SOAP operations and their answers;
//! - [`faults`]: the built-in fault users (the hostile-server matrix);
//! - [`wsdl`]: the service description;
//! - [`server`]: HTTP(S), caller authentication, start/stop in-process or as `mfa-sim`;
//! - [`cert`]: the self-signed certificate made at start;
//! - [`duo`]: the Duo Auth API v2 (`/auth/v2/*`) on the same listener;
//! - [`radius`]: a RADIUS server (UDP) for the demo users (`mfa-sim --radius`).
//! - [`okta`]: Okta's management API for Okta Verify push (`/api/v1/*`) on the same listener.
//! - [`privacyidea`]: privacyIDEA's REST API for a push (`/auth`, `/validate/*`, `/token/`,
//!   `/user/`) on the same listener, answers signed with a demo key.
//!
//! Requests are read with the engine's XML reader (`mfa_protocol::xml`); independent
//! clients (a generic SOAP library in `tests/`) keep both sides honest.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cert;
pub mod directory;
pub mod duo;
pub mod faults;
pub mod okta;
pub mod ops;
pub mod privacyidea;
pub mod radius;
pub mod server;
pub mod wsdl;

pub use directory::{Answer, Directory, User};
pub use server::{
    Background, Running, Seen, SimConfig, Stats, TlsMode, DEFAULT_PATH, DEMO_PASSWORD, DEMO_USER,
};
