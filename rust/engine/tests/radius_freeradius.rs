//! The RADIUS provider against a real FreeRADIUS 3.2 (Debian's `freeradius`), started
//! here with a generated configuration in a temporary folder on a free loopback port:
//! `require_message_authenticator = yes` for the client, accept and reject users, one
//! user answered after 2 s (an `exec` of sleep, as a user deciding), and one whose
//! answer carries no Message-Authenticator. Skipped with one line where FreeRADIUS is
//! missing, except under CI=true on Linux (`.ci/run` installs it).
//!
//! FreeRADIUS before 3.2.5 puts a Message-Authenticator in an answer only when the reply
//! list has one, so the configuration adds it in `post-auth` (what its Blast-RADIUS
//! advice says for older versions); `docs/radius.md` says the same to operators.

use crate::radius_common;
use mfa_engine::Status;
use radius_common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FR_SECRET: &str = "fr-test-shared-secret-3f9a";
const FR_PASSWORD: &str = "fr-test-password";

fn tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

fn required_here() -> bool {
    std::env::var("CI").as_deref() == Ok("true") && cfg!(target_os = "linux")
}

struct FreeRadius {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for FreeRadius {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config(dir: &Path, port: u16) -> String {
    let d = dir.display();
    format!(
        r#"prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {d}
raddbdir = {d}
radacctdir = {d}
name = freeradius
confdir = {d}
modconfdir = {d}
run_dir = {d}
db_dir = {d}
libdir = /usr/lib/freeradius
pidfile = {d}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {{
	destination = stdout
}}
security {{
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}}
thread pool {{
	start_servers = 4
	max_servers = 8
	min_spare_servers = 1
	max_spare_servers = 8
	max_requests_per_server = 0
}}
client localhost {{
	ipaddr = 127.0.0.1
	secret = {FR_SECRET}
	require_message_authenticator = yes
}}
modules {{
	files {{
		filename = {d}/users
	}}
	pap {{
	}}
	exec slow {{
		wait = yes
		program = "/bin/sleep 2"
		input_pairs = request
		timeout = 10
	}}
}}
server default {{
	listen {{
		type = auth
		ipaddr = 127.0.0.1
		port = {port}
	}}
	authorize {{
		if (&User-Name == "slow@contoso.com") {{
			slow
		}}
		files
		pap
	}}
	authenticate {{
		Auth-Type PAP {{
			pap
		}}
	}}
	post-auth {{
		if (&User-Name != "unsigned@contoso.com") {{
			update reply {{
				&Message-Authenticator := 0x00
			}}
		}}
		Post-Auth-Type REJECT {{
			update reply {{
				&Message-Authenticator := 0x00
			}}
		}}
	}}
}}
"#
    )
}

const USERS: &str = "alice@contoso.com\tCleartext-Password := \"fr-test-password\"\n\tReply-Message = \"Welcome, alice\"\nslow@contoso.com\tCleartext-Password := \"fr-test-password\"\nunsigned@contoso.com\tCleartext-Password := \"fr-test-password\"\nbob@contoso.com\tAuth-Type := Reject\n\tReply-Message = \"Denied by policy\"\n";

fn start() -> Option<FreeRadius> {
    let Some(binary) = tool(&["freeradius", "radiusd"]) else {
        assert!(
            !required_here(),
            "FreeRADIUS is required under CI (.ci/run installs freeradius)"
        );
        eprintln!("skipped: FreeRADIUS (freeradius/radiusd) is not installed");
        return None;
    };
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!(
        "mfa-freeradius-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("radiusd.conf"), config(&dir, port)).unwrap();
    std::fs::write(dir.join("users"), USERS).unwrap();
    std::fs::write(dir.join("dictionary"), "").unwrap();
    let mut child = Command::new(binary)
        .arg("-f")
        .arg("-d")
        .arg(&dir)
        .arg("-l")
        .arg("stdout")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("FreeRADIUS starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut log = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Ready to process requests") {
                let _ = tx.send(Ok(()));
            }
            log.push(line);
        }
        let _ = tx.send(Err(log.join("\n")));
    });
    let server = FreeRadius { child, dir, port };
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(())) => Some(server),
        Ok(Err(log)) => panic!("FreeRADIUS stopped before it was ready:\n{log}"),
        Err(_) => panic!("FreeRADIUS was not ready within 30 s"),
    }
}

#[tokio::test]
async fn approvals_through_a_real_freeradius() {
    let Some(fr) = start() else { return };
    let server = format!("127.0.0.1:{}", fr.port);
    let client = client_for(
        std::slice::from_ref(&server),
        r#""passwordMode":"fixed""#,
        FR_SECRET,
        Some(FR_PASSWORD),
    );
    let o = run(&client, "alice@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(o.message.contains("Welcome, alice"), "{}", o.message);
    assert_eq!(o.data.as_ref().unwrap()["messageAuthenticator"], true);

    let o = run(&client, "bob@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Denied, "{}", o.message);
    assert!(o.message.contains("Denied by policy"), "{}", o.message);

    let o = run(&client, "nobody@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Denied, "{}", o.message);

    let started = Instant::now();
    let o = run(&client, "slow@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(started.elapsed() >= Duration::from_secs(2));

    // A deadline shorter than the user's decision: TimedOut, never a second request.
    let o = run(&client, "slow@contoso.com", 1.0).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);

    // An answer without a Message-Authenticator is dropped unless allowed (with a warning).
    let o = run(&client, "unsigned@contoso.com", 2.0).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert!(
        o.message.contains("no Message-Authenticator"),
        "{}",
        o.message
    );
    let lax = client_for(
        std::slice::from_ref(&server),
        r#""passwordMode":"fixed","allowMissingMessageAuthenticator":true"#,
        FR_SECRET,
        Some(FR_PASSWORD),
    );
    let o = run(&lax, "unsigned@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.warnings.len(), 2);

    // The wrong password is refused by the server; the wrong secret is not even answered
    // (FreeRADIUS drops a request whose Message-Authenticator does not verify).
    let wrong_password = client_for(
        std::slice::from_ref(&server),
        r#""passwordMode":"fixed""#,
        FR_SECRET,
        Some("nope"),
    );
    assert_eq!(
        run(&wrong_password, "alice@contoso.com", 10.0).await.status,
        Status::Denied
    );
    let wrong_secret = client_for(
        &[server],
        r#""passwordMode":"fixed""#,
        "not-the-secret",
        Some(FR_PASSWORD),
    );
    let o = run(&wrong_secret, "alice@contoso.com", 2.0).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    drop(fr);
}
