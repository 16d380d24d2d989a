//! `mfa-sim --radius` checked by someone else's client: FreeRADIUS's `radclient`
//! (Debian's `freeradius-utils`) verifies the answers' Response Authenticator and
//! Message-Authenticator with the demo secret, and sees each demo user's answer.
//! Skipped with one line where radclient is missing, except under CI=true on Linux.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const SECRET: &str = mfa_sim::radius::DEMO_RADIUS_SECRET;

fn radclient() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(["/usr/bin", "/usr/local/bin"].map(PathBuf::from))
        .map(|d| d.join("radclient"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !(std::env::var("CI").as_deref() == Ok("true") && cfg!(target_os = "linux")),
            "radclient is required under CI (.ci/run installs freeradius-utils)"
        );
        eprintln!("skipped: radclient (freeradius-utils) is not installed");
    }
    found
}

/// Sends one Access-Request; returns radclient's exit success and everything it printed.
fn ask(radclient: &PathBuf, server: &str, attributes: &str) -> (bool, String) {
    let mut child = Command::new(radclient)
        .args(["-x", "-t", "3", "-r", "1", server, "auth", SECRET])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("radclient runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(attributes.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn request(user: &str, with_message_authenticator: bool) -> String {
    let ma = if with_message_authenticator {
        "Message-Authenticator = 0x00\n"
    } else {
        ""
    };
    format!("User-Name = \"{user}\"\nUser-Password = \"\"\n{ma}")
}

#[test]
fn radclient_agrees_with_the_simulator() {
    let Some(radclient) = radclient() else { return };
    let mut sim = Command::new(env!("CARGO_BIN_EXE_mfa-sim"))
        .args(["--http", "--radius", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(sim.stdout.take().unwrap());
    let mut server = None;
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "mfa-sim exited early"
        );
        if let Some(rest) = line.trim_end().strip_prefix("radius: ") {
            assert!(rest.ends_with("(demo shared secret: see README)"), "{rest}");
            assert!(!rest.contains(SECRET), "the secret is never printed");
            server = rest.split_whitespace().next().map(str::to_string);
        }
        if line.trim_end() == "ready" {
            break;
        }
    }
    let server = server.expect("a radius: line");

    let (_, text) = ask(&radclient, &server, &request("alice@contoso.com", true));
    assert!(text.contains("Received Access-Accept"), "{text}");
    assert!(text.contains("Message-Authenticator = 0x"), "{text}");
    assert!(!text.contains("invalid"), "{text}");

    let (_, text) = ask(&radclient, &server, &request("bob@contoso.com", true));
    assert!(text.contains("Received Access-Reject"), "{text}");

    let (_, text) = ask(&radclient, &server, &request("challenge@contoso.com", true));
    assert!(text.contains("Received Access-Challenge"), "{text}");
    assert!(text.contains("Microsoft Authenticator"), "{text}");

    // radclient, too, refuses the answer signed with another secret.
    let (_, text) = ask(
        &radclient,
        &server,
        &request("wrongsecret@contoso.com", true),
    );
    assert!(!text.contains("Received Access-Accept"), "{text}");
    assert!(
        text.contains("Shared secret is incorrect") || text.contains("invalid"),
        "{text}"
    );

    // A request without a Message-Authenticator gets no answer from the simulator.
    let (ok, text) = ask(&radclient, &server, &request("alice@contoso.com", false));
    assert!(!ok, "{text}");
    assert!(!text.contains("Received"), "{text}");

    drop(sim.stdin.take());
    assert!(sim.wait().unwrap().success());
}
