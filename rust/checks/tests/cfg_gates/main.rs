//! No `#[cfg]`-gated definition is used outside its cfg (issue 28, item 1).
//!
//! A helper under `#[cfg(target_os = "linux")]` called from a test with no cfg compiles on
//! Linux and fails on Windows (E0425); `cargo check --target x86_64-pc-windows-msvc` would
//! see it, but this machine has no Windows standard library. So every Rust file of the
//! workspace and of `fuzz/` is parsed (syn), each crate's modules and their definitions are
//! collected with the cfg each exists under, and every reference (a path in code, a type, a
//! pattern, a `use`, a macro's arguments, a format string's `{name}`, a `self.method()`
//! call) is checked: wherever the reference is compiled, what it names must exist. Method
//! calls on other receivers need type inference and are not checked; a name the workspace
//! does not define (the standard library, other crates) is not checked.
//!
//! The fixtures under `tests/fixtures/cfg_gates` mark each reference the check must report
//! with `// cfg-gate: expect NAME` on its line; every other reference in them must pass.

mod cfg;
mod check;
mod model;
mod resolve;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use check::Finding;
use model::{Model, Root};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfg_gates")
}

/// Every target (library, binary, test, example, bench, build script) of every package of
/// the workspace at `manifest`, as cargo itself lists them.
fn roots_of(manifest: &Path) -> Vec<Root> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut roots = Vec::new();
    for package in metadata["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|k| k.as_str())
                .collect();
            roots.push(Root {
                name: target["name"].as_str().unwrap().replace('-', "_"),
                is_lib: kinds.iter().any(|k| {
                    ["lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"].contains(k)
                }),
                path: PathBuf::from(target["src_path"].as_str().unwrap()),
            });
        }
    }
    roots
}

/// Every `.rs` file under `dir`, but build output, fuzz corpora and these fixtures.
fn rust_files(dir: &Path, skip: &Path, into: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !(name.starts_with('.')
                || ["target", "out", "corpus", "artifacts"].contains(&name.as_str())
                || path == skip)
            {
                rust_files(&path, skip, into);
            }
        } else if name.ends_with(".rs") {
            into.insert(path);
        }
    }
}

fn load_workspace() -> Model {
    // Not canonical: cargo is given the path as written (C:\..., not \\?\C:\...).
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..");
    let mut roots = roots_of(&repo.join("Cargo.toml"));
    roots.extend(roots_of(&repo.join("fuzz").join("Cargo.toml")));
    Model::load(&roots)
}

#[test]
fn no_cfg_gated_definition_is_used_outside_its_cfg_in_the_workspace() {
    let model = load_workspace();
    assert!(model.problems.is_empty(), "{}", model.problems.join("\n"));
    let findings = check::check(&model);
    let prefix = format!("{}/", repo().display());
    let shown: Vec<String> = findings
        .iter()
        .map(|f| f.to_string().replace(&prefix, ""))
        .collect();
    assert!(
        findings.is_empty(),
        "{} reference(s) would not compile on some target:\n{}",
        findings.len(),
        shown.join("\n")
    );
}

#[test]
fn every_rust_file_of_the_workspace_and_of_fuzz_is_checked() {
    let model = load_workspace();
    let repo = repo();
    let mut on_disk = BTreeSet::new();
    // Every check's fixtures (tests/fixtures/<check>) are crates of their own, not the workspace's.
    let all_fixtures = fixtures().parent().unwrap().canonicalize().unwrap();
    rust_files(&repo, &all_fixtures, &mut on_disk);
    let read: BTreeSet<PathBuf> = model
        .files
        .iter()
        .map(|f| f.canonicalize().unwrap())
        .collect();
    let missed: Vec<String> = on_disk
        .difference(&read)
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missed.is_empty(),
        "not reached from any crate target (cargo metadata) through `mod`: {}",
        missed.join(", ")
    );
    // The files this issue is about, and both workspaces.
    for file in [
        "rust/ffi/tests/c_program.rs",
        "rust/engine/src/audit.rs",
        "rust/sim/src/main.rs",
        "fuzz/fuzz_targets/soap_answer.rs",
    ] {
        let path = file.split('/').fold(repo.clone(), |p, part| p.join(part));
        assert!(read.contains(&path), "{file} was not checked");
    }
    assert!(model.krates.len() >= 40, "{} crates", model.krates.len());
}

/// A reported or expected reference: file, line, name.
type Mark = (PathBuf, usize, String);

/// The findings of the fixture crates (also as marks), and the `// cfg-gate: expect NAME`
/// markers in their files.
fn fixture_results(roots: &[(&str, bool, &str)]) -> (Vec<Finding>, BTreeSet<Mark>, BTreeSet<Mark>) {
    let roots: Vec<Root> = roots
        .iter()
        .map(|(name, is_lib, path)| Root {
            name: name.to_string(),
            is_lib: *is_lib,
            path: fixtures().join(path),
        })
        .collect();
    let model = Model::load(&roots);
    assert!(model.problems.is_empty(), "{}", model.problems.join("\n"));
    let findings = check::check(&model);
    let found = findings
        .iter()
        .map(|f| (f.at.file.clone(), f.at.line, f.name.clone()))
        .collect();
    let mut expected = BTreeSet::new();
    for file in &model.files {
        for (i, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            if let Some((_, name)) = line.split_once("// cfg-gate: expect ") {
                expected.insert((file.clone(), i + 1, name.trim().to_string()));
            }
        }
    }
    (findings, found, expected)
}

#[test]
fn the_c_program_rs_shape_before_the_fix_is_caught() {
    // rust/ffi/tests/c_program.rs as it was (issue 28): compile_c_program under
    // #[cfg(target_os = "linux")], called by two tests with no cfg.
    let (findings, found, expected) =
        fixture_results(&[("c_program", false, "c_program_before_the_fix.rs")]);
    assert_eq!(expected.len(), 2);
    assert_eq!(found, expected, "{findings:#?}");
    let message = findings[0].to_string();
    assert!(
        message.contains(
            "`compile_c_program` is used on every target but exists only on target_os = \"linux\""
        ),
        "{message}"
    );
}

#[test]
fn every_kind_of_reference_is_checked_and_correct_gates_pass() {
    let (findings, found, expected) = fixture_results(&[
        ("kinds", true, "kinds/lib.rs"),
        ("other_crate", true, "other_crate/lib.rs"),
    ]);
    assert!(expected.len() >= 15, "{expected:#?}");
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = findings
        .iter()
        .filter(|f| !expected.contains(&(f.at.file.clone(), f.at.line, f.name.clone())))
        .map(Finding::to_string)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not reported: {missing:#?}\nreported wrongly: {extra:#?}"
    );
}
