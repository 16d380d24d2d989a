//! The declared minimum Rust version (`rust-version` in Cargo.toml) is true for the locked
//! dependencies: none of them declares a newer one. (Clippy's `incompatible_msrv` checks the
//! standard-library APIs the workspace itself uses; the Linux workflow builds with exactly
//! that toolchain.)

use std::process::Command;

/// `1.89`, `1.88.0` as (major, minor, patch).
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("`{text}` is not a Rust version"))
    });
    let major = parts.next().unwrap_or(0);
    (major, parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
            manifest,
        ])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata --locked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_workspace_declares() {
    let metadata = metadata();
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let packages = metadata["packages"].as_array().unwrap();
    let declared: Vec<(String, String)> = packages
        .iter()
        .filter(|p| members.contains(&p["id"].as_str().unwrap()))
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["rust_version"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (name, v) in &declared {
        assert_eq!(v, &declared[0].1, "{name} declares rust-version {v:?}: every member takes the workspace's (rust-version.workspace = true)");
    }
    let workspace = version(&declared[0].1);
    let mut newer: Vec<String> = packages
        .iter()
        .filter(|p| !members.contains(&p["id"].as_str().unwrap()))
        .filter_map(|p| {
            let v = p["rust_version"].as_str()?;
            (version(v) > workspace).then(|| {
                format!(
                    "{} {} needs Rust {v}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
        })
        .collect();
    newer.sort();
    assert!(
        newer.is_empty(),
        "Cargo.toml declares rust-version = \"{}\", but:\n{}\nRaise rust-version (and README's \"Needs\"), or pin those dependencies to older versions.",
        declared[0].1,
        newer.join("\n")
    );
    // Not vacuous: the lock file holds many packages that declare a version.
    let declaring = packages
        .iter()
        .filter(|p| p["rust_version"].is_string())
        .count();
    assert!(
        declaring > 50,
        "only {declaring} packages declare rust-version"
    );
}

#[test]
fn versions_compare_as_numbers() {
    assert!(version("1.100") > version("1.89"));
    assert!(version("1.88.0") < version("1.89"));
    assert_eq!(version("1.89"), version("1.89.0"));
}
