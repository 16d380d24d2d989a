//! Checks over the workspace itself, run by `cargo test -p mfa-checks`; this library is empty.
//!
//! - `tests/cfg_gates`: every function, constant, type, module or import defined under a
//!   `#[cfg(...)]` is referenced only where that cfg (or a stricter one) holds, in every Rust
//!   file of the workspace and of `fuzz/`. A helper gated `#[cfg(target_os = "linux")]` and
//!   called from an ungated test compiles on Linux and breaks the Windows build (E0425), which
//!   the Linux CI cannot see; this check sees it on Linux.
//! - `tests/msrv`: no locked dependency declares a newer `rust-version` than the workspace.
