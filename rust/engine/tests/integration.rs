//! The engine's integration tests, in one test binary (issue 29: each test binary links the
//! engine and its dependencies again, and optimising and linking some thirty of them took five
//! minutes of `build.ps1 Test`). Each file under `tests/` is one module here, declared by path so
//! that the files keep their names; `proxy.rs` and `no_proxy.rs` stay binaries of their own,
//! as they change the process environment (`HTTPS_PROXY` and friends).
//! Run one file's tests with a filter: `cargo test --release -p mfa-engine --test integration duo_strict::`.

#[path = "common/mod.rs"]
mod common;
#[path = "privacyidea_common/mod.rs"]
mod privacyidea_common;
#[path = "radius_common/mod.rs"]
mod radius_common;

#[path = "audit.rs"]
mod audit;
#[path = "audit_chain.rs"]
mod audit_chain;
#[path = "audit_docs.rs"]
mod audit_docs;
#[path = "audit_strict.rs"]
mod audit_strict;
#[path = "audit_syslog.rs"]
mod audit_syslog;
#[path = "demo_users.rs"]
mod demo_users;
#[path = "differential.rs"]
mod differential;
#[path = "duo.rs"]
mod duo;
#[path = "duo_strict.rs"]
mod duo_strict;
#[path = "faults.rs"]
mod faults;
#[path = "hostile.rs"]
mod hostile;
#[path = "identity/main.rs"]
mod identity;
#[path = "messages.rs"]
mod messages;
#[path = "okta.rs"]
mod okta;
#[path = "okta_hostile.rs"]
mod okta_hostile;
#[path = "okta_service_app.rs"]
mod okta_service_app;
#[path = "okta_strict.rs"]
mod okta_strict;
#[path = "privacyidea_hostile.rs"]
mod privacyidea_hostile;
#[path = "privacyidea_real.rs"]
mod privacyidea_real;
#[path = "privacyidea_sim.rs"]
mod privacyidea_sim;
#[path = "privacyidea_strict.rs"]
mod privacyidea_strict;
#[path = "radius.rs"]
mod radius;
#[path = "radius_freeradius.rs"]
mod radius_freeradius;
#[path = "radius_hostile.rs"]
mod radius_hostile;
#[path = "redaction_property.rs"]
mod redaction_property;
#[path = "secrets.rs"]
mod secrets;
#[path = "transport_security.rs"]
mod transport_security;
