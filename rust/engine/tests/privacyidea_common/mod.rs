//! A real privacyIDEA 3.14 server with scripted phones, for the tests of one test binary:
//! started once (the first test that asks), by `tests/python/privacyidea_server.py` from
//! the test venv (`out/venv`, made by `build.ps1`; or the Python named by `MFA_PYTHON`),
//! and stopped when the test process ends (the launcher exits when its standard input
//! closes). Where that Python or privacyIDEA is missing the tests are skipped with one line,
//! except under CI=true on Linux.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

pub struct Server {
    pub info: Value,
    stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

impl Server {
    pub fn url(&self) -> String {
        self.info["url"].as_str().unwrap().to_owned()
    }
    pub fn field(&self, key: &str) -> String {
        self.info[key].as_str().unwrap_or_default().to_owned()
    }
    pub fn serial(&self, user: &str) -> String {
        self.info["users"][user]["serial"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
    /// The presence answer the asker showed `user` (what the person picks on the phone).
    pub fn tell(&self, user: &str, answer: &str) {
        let mut stdin = self.stdin.lock().unwrap();
        writeln!(stdin, "tell {user} {answer}").unwrap();
        stdin.flush().unwrap();
    }
    /// A configuration JSON for this server (its CA trusted), plus `extra` top-level fields
    /// and `pi` inside the `privacyidea` object.
    pub fn config_json(&self, user: &str, extra: &str, pi: &str) -> String {
        format!(
            r#"{{"provider":"privacyidea","uri":"{}","userName":"{user}","caCertificateFile":"{}","httpTimeoutSeconds":10,"realm":"{}"{}{pi}{}{extra}}}"#,
            self.url(),
            self.field("caFile"),
            self.field("realm"),
            if pi.is_empty() { "" } else { "," },
            if extra.is_empty() { "" } else { "," },
        )
    }
    pub fn service_password(&self) -> String {
        self.field("servicePassword")
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MFA_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join("out/venv");
    if cfg!(windows) {
        venv.join("Scripts/python.exe")
    } else {
        venv.join("bin/python")
    }
}

/// Required on the Linux CI (gunicorn, which serves it, runs on Unix only).
fn required_here() -> bool {
    std::env::var("CI").as_deref() == Ok("true") && cfg!(target_os = "linux")
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();

fn start() -> Option<Server> {
    let python = python();
    let usable = python.is_file()
        && Command::new(&python)
            .args(["-c", "import privacyidea, gunicorn"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !usable {
        assert!(
            !required_here(),
            "privacyIDEA is required under CI=true: {} cannot import privacyidea (build.ps1 installs tests/python/requirements.txt into out/venv)",
            python.display()
        );
        eprintln!(
            "privacyIDEA tests skipped: {} cannot import privacyidea and gunicorn (pwsh ./build.ps1 Test makes out/venv; or set MFA_PYTHON)",
            python.display()
        );
        return None;
    }
    let clock = std::time::Instant::now();
    let mut child = Command::new(&python)
        .arg(root().join("tests/python/privacyidea_server.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the privacyIDEA launcher starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("the privacyIDEA launcher did not start (see its error above)"));
    eprintln!(
        "privacyIDEA started in {:.1} s ({})",
        clock.elapsed().as_secs_f64(),
        info["timings"]
    );
    let stdin = child.stdin.take().unwrap();
    Some(Server {
        info,
        stdin: Mutex::new(stdin),
        _child: Mutex::new(child),
    })
}

/// The server, or `None` (skipped) where privacyIDEA cannot run.
pub fn server() -> Option<&'static Server> {
    SERVER.get_or_init(start).as_ref()
}
