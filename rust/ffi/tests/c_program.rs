//! A C program compiled against the committed header and linked to the real cdylib runs
//! approvals against the simulator; the library carries a SONAME.

use std::path::PathBuf;
use std::process::Command;

fn target_dir() -> PathBuf {
    // target/<profile>/deps/c_program-<hash> -> target/<profile>
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

fn library() -> PathBuf {
    let lib = target_dir().join(if cfg!(target_os = "macos") {
        "libmfa_approval.dylib"
    } else {
        "libmfa_approval.so"
    });
    assert!(
        lib.exists(),
        "{} missing: the cdylib is built with the crate",
        lib.display()
    );
    lib
}

#[cfg(target_os = "linux")]
#[test]
fn the_shared_library_has_a_soname() {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(library())
        .output()
        .expect("readelf (binutils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(SONAME)") && text.contains("[libmfa_approval.so.1]"),
        "{text}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_c_program_runs_approvals_through_the_header_and_the_library() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("mfa-c-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Link against the SONAME the way a packaged library is installed.
    std::fs::copy(library(), dir.join("libmfa_approval.so.1")).unwrap();
    let _ = std::fs::remove_file(dir.join("libmfa_approval.so"));
    std::os::unix::fs::symlink("libmfa_approval.so.1", dir.join("libmfa_approval.so")).unwrap();
    let exe = dir.join("approve");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(root.join("rust/ffi/include"))
        .arg(root.join("tests/c/approve.c"))
        .arg("-L")
        .arg(&dir)
        .arg("-lmfa_approval")
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("a C compiler (cc) is installed");
    assert!(
        status.success(),
        "the C program must compile cleanly against the header"
    );

    let sim = mfa_sim::Background::start(mfa_sim::SimConfig::default()).unwrap();
    let run = |user: &str| {
        Command::new(&exe)
            .args([
                sim.url.as_str(),
                sim.cert_sha256.as_deref().unwrap(),
                mfa_sim::DEMO_USER,
                user,
            ])
            .env("MFA_PASSWORD", mfa_sim::DEMO_PASSWORD)
            .output()
            .unwrap()
    };
    let alice = run("alice@contoso.com");
    let stdout = String::from_utf8_lossy(&alice.stdout);
    assert_eq!(
        alice.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&alice.stderr)
    );
    assert!(
        stdout.starts_with("Approved\n") && stdout.contains(r#""callResult":{"code":21"#),
        "{stdout}"
    );
    let bob = run("bob@contoso.com");
    assert_eq!(bob.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bob.stdout).starts_with("Denied\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
