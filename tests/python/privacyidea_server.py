"""A real privacyIDEA 3.14 server for the tests, with scripted phones.

Usable from pytest (:class:`PrivacyIdeaServer`, or the ``privacyidea`` fixture in conftest.py)
and from the Rust and Pester tests through the launcher::

    out/venv/bin/python tests/python/privacyidea_server.py

which sets everything up, prints ONE JSON line when the server answers (its URL, the CA file
that issued its certificate, the response signing key, the service account and the users),
then reads commands on standard input (``tell <user> <letter>``: the presence answer the asker
showed that user) and shuts everything down when standard input closes (the test process
ended), removing its folder.

What it sets up, in a fresh temporary folder (nothing under /etc, nothing shared):

- ``pi.cfg``: SQLite database, a generated 96-byte encryption key (``PI_ENCFILE``), a
  generated pepper and secret key, a fresh 2048-bit RSA audit key pair
  (``PI_AUDIT_KEY_PRIVATE``/``PUBLIC``: privacyIDEA signs every response with it), no
  superuser realm, the node's UUID file in the folder;
- the tables (``db.create_all``), a flat-file (``passwdresolver``) user store with alice, bob,
  carol, dave, erin, frank, mallory and victor in the realm ``contoso``;
- two internal admins: the **service account** ``svc-mfa`` (policy ``mfa-service``: only
  ``triggerchallenge``, ``cancelchallenge`` (withdraw), ``userlist`` and ``tokenlist``
  (identity resolution)) and ``svc-trigger-only`` (only ``triggerchallenge``), and the
  fixture's own ``pi-fixture`` that enrols the push tokens (``enrollPUSH``, ``tokenlist``);
- push policies for poll-only tokens (no Firebase): ``push_firebase_configuration=poll only``,
  ``push_registration_url`` on this server; ``push_require_presence`` for victor only;
- gunicorn (one worker, threads) over HTTPS with a throw-away certificate issued by a
  throw-away CA, on a socket this process bound on a free loopback port (no race for the
  port, and no sleep: the first request waits in the socket's backlog until gunicorn serves it);
- a push token per phone user, enrolled in two steps (the admin's ``/token/init``, then the
  phone's ``/ttype/push`` with its public key), and the phones answering in the background:
  alice approves a second after the push, erin half a second after, bob declines, mallory declines as "I did not trigger this"
  (``decline_reason=unknown_trigger``, privacyIDEA's fraud-like answer), carol never answers,
  victor picks the presence answer he is told; dave and frank have no push token (the pytest
  suite enrols one for frank).
"""
import concurrent.futures
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from privacyidea_phone import Phone, PhoneHelper  # noqa: E402

REALM = "contoso"
SERVICE_USER = "svc-mfa"
TRIGGER_ONLY_USER = "svc-trigger-only"
FIXTURE_ADMIN = "pi-fixture"
# user -> (behaviour, delay seconds); users not listed here have no push token.
PHONES = {
    "alice": ("approve", 1.0),
    "erin": ("approve", 0.5),
    "bob": ("decline", 0.0),
    "mallory": ("decline-unknown", 0.0),
    "carol": ("ignore", 0.0),
    "victor": ("presence", 0.0),
}
# dave has no push token; frank gets one from the pytest suite (an enrolment every run).
USERS = ["alice", "bob", "carol", "dave", "erin", "mallory", "victor", "frank"]


def _write(path, data, mode=0o600):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def _tls_files(folder):
    """A throw-away CA (its key dropped) and a certificate for 127.0.0.1 and localhost."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privacyIDEA test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(folder, name) for name in ("ca.pem", "server.pem", "server.key")}
    _write(paths["ca.pem"], ca.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(paths["server.pem"], leaf.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(paths["server.key"], key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    fingerprint = leaf.fingerprint(hashes.SHA256()).hex()
    return paths, fingerprint


def _audit_keys(folder):
    """The response signing key pair, as ``pi-manage setup create_audit_keys`` writes it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(os.path.join(folder, "private.pem"), key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()), 0o400)
    _write(os.path.join(folder, "public.pem"), key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)


def _config(folder, state):
    """pi.cfg for ``folder``, with the secret key and pepper of ``state``."""
    _write(os.path.join(folder, "uuid.txt"), "8d2a0a1c-6f3e-4a57-9d16-2f0c8f5b7e31\n", 0o644)
    cfg = os.path.join(folder, "pi.cfg")
    settings = {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(folder, "pi.sqlite"),
        "SECRET_KEY": state["secretKey"],
        "PI_PEPPER": state["pepper"],
        "PI_ENCFILE": os.path.join(folder, "enckey"),
        "PI_AUDIT_KEY_PRIVATE": os.path.join(folder, "private.pem"),
        "PI_AUDIT_KEY_PUBLIC": os.path.join(folder, "public.pem"),
        "PI_AUDIT_SQL_TRUNCATE": True,
        "PI_LOGFILE": os.path.join(folder, "privacyidea.log"),
        "PI_LOGLEVEL": 30,
        # One argon2 round: every /auth verifies the admin's password, and nine rounds (the
        # default) cost about a second each on a shared test machine.
        "PI_HASH_ALGO_PARAMS": {"argon2__rounds": 1},
        "PI_UUID_FILE": os.path.join(folder, "uuid.txt"),
        "PI_NODE": "localnode",
        "SUPERUSER_REALM": [],
    }
    _write(cfg, "".join("%s = %r\n" % kv for kv in settings.items()))
    return cfg


def _makedirs(path):
    os.makedirs(path, exist_ok=True)
    return path


def _users_file(folder):
    path = os.path.join(folder, "users")
    lines = ["%s:x:%d:%d:%s,,,:/home/%s:/bin/sh\n" % (u, 1001 + i, 1001 + i, u.capitalize(), u)
             for i, u in enumerate(USERS)]
    _write(path, "".join(lines), 0o644)
    return path


# The WSGI module gunicorn loads (with --preload, once, in its master): on the first start it
# creates the tables, the admins, the user store, the realm and the policies; on every start it
# points the user store and the push registration URL at this folder and port (a database taken
# from the cache names the previous ones); then it builds the application the worker forks
# from. Nothing in it is run by hand: it is the server's own start.
WSGI = r"""import json, os
from privacyidea.app import create_app
from privacyidea.models import db
from privacyidea.lib.policy import set_policy, SCOPE
from privacyidea.lib.resolver import save_resolver

application = create_app(config_name="production", config_file=%(cfg)r, silent=True)
with application.app_context():
    if not os.path.exists(%(marker)r):
        from privacyidea.lib.auth import create_db_admin
        from privacyidea.lib.realm import set_realm
        db.create_all()
        db.session.commit()
        for name, password in json.loads(%(passwords)r).items():
            create_db_admin(name, None, password)
        save_resolver({"resolver": "contoso-users", "type": "passwdresolver", "fileName": %(users)r})
        set_realm("contoso", [{"name": "contoso-users"}])
        set_policy("mfa-service", scope=SCOPE.ADMIN, adminuser="svc-mfa",
                   action="triggerchallenge, cancelchallenge, userlist, tokenlist")
        set_policy("mfa-trigger-only", scope=SCOPE.ADMIN, adminuser="svc-trigger-only",
                   action="triggerchallenge")
        set_policy("fixture-admin", scope=SCOPE.ADMIN, adminuser="pi-fixture",
                   action="enrollPUSH, tokenlist")
        set_policy("push-presence", scope=SCOPE.AUTH, realm="contoso", user="victor",
                   action="push_require_presence")
        open(%(marker)r, "w").close()
    save_resolver({"resolver": "contoso-users", "type": "passwdresolver", "fileName": %(users)r})
    set_policy("push-enrol", scope=SCOPE.ENROLL,
               action="push_firebase_configuration=poll only, push_registration_url=%(registration)s, "
                      "push_ssl_verify=1")
    db.session.commit()
    # The worker forks from this process: it must not inherit these database connections.
    db.engine.dispose()
"""

# The enrolled state (database, keys, phones) is kept between runs in out/privacyidea-cache,
# keyed by this fixture's source and the privacyIDEA version: enrolling six push tokens costs
# privacyIDEA six 4096-bit RSA key pairs (seconds on a busy machine). The first start of a run
# with a new key enrols for real; the pytest suite enrols one more token every run.
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CACHE = os.environ.get("MFA_PRIVACYIDEA_CACHE", os.path.join(ROOT, "out", "privacyidea-cache"))
CACHED_FILES = ("pi.sqlite", "enckey", "private.pem", "public.pem")


def _cache_key():
    import hashlib
    from importlib import metadata
    h = hashlib.sha256()
    for name in ("privacyidea_server.py", "privacyidea_phone.py"):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "rb") as f:
            h.update(f.read())
    h.update(metadata.version("privacyidea").encode())
    h.update(sys.version.encode())
    return h.hexdigest()[:16]


class PrivacyIdeaServer:
    """Starts, describes and stops one privacyIDEA server with its phones."""

    def __init__(self, python=None, quiet=True):
        self.python = python or sys.executable
        self.quiet = quiet
        self.folder = None
        self.process = None
        self.sock = None
        self.helper = None
        self.info = {}

    def _load_cache(self, key):
        """The cached state for ``key`` copied into the folder, or ``None``."""
        if not CACHE:
            return None
        cached = os.path.join(CACHE, key)
        try:
            with open(os.path.join(cached, "state.json")) as f:
                state = json.load(f)
            for name in CACHED_FILES:
                shutil.copyfile(os.path.join(cached, name), os.path.join(self.folder, name))
        except (OSError, ValueError):
            return None
        _write(os.path.join(self.folder, "set-up"), "", 0o644)
        return state

    def _save_cache(self, key, state):
        """Keeps the enrolled state (best effort; a concurrent run may have kept it first)."""
        if not CACHE:
            return
        import sqlite3
        target = os.path.join(CACHE, key)
        if os.path.exists(target):
            return
        work = tempfile.mkdtemp(prefix="tmp-", dir=_makedirs(CACHE))
        try:
            source = sqlite3.connect(os.path.join(self.folder, "pi.sqlite"))
            copy = sqlite3.connect(os.path.join(work, "pi.sqlite"))
            with copy:
                source.backup(copy)
            source.close()
            copy.close()
            for name in CACHED_FILES[1:]:
                shutil.copyfile(os.path.join(self.folder, name), os.path.join(work, name))
            with open(os.path.join(work, "state.json"), "w") as f:
                json.dump(state, f)
            os.rename(work, target)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            return
        # States of an older fixture or privacyIDEA are never read again.
        for old in os.listdir(CACHE):
            if old != key and not old.startswith("tmp-"):
                shutil.rmtree(os.path.join(CACHE, old), ignore_errors=True)

    def start(self):
        clock = time.monotonic()
        timings = {}
        # In memory where the machine has /dev/shm: SQLite's fsyncs cost seconds on a busy disk.
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.folder = tempfile.mkdtemp(prefix="mfa-privacyidea-", dir=shm)
        tls, fingerprint = _tls_files(self.folder)
        key = _cache_key()
        state = self._load_cache(key)
        timings["cached"] = state is not None
        if state is None:
            _audit_keys(self.folder)
            _write(os.path.join(self.folder, "enckey"), secrets.token_bytes(96), 0o400)
            state = {"secretKey": secrets.token_hex(24), "pepper": secrets.token_hex(24),
                     "passwords": {SERVICE_USER: "svc-" + secrets.token_urlsafe(18),
                                   TRIGGER_ONLY_USER: "svc-" + secrets.token_urlsafe(18),
                                   FIXTURE_ADMIN: secrets.token_urlsafe(18)},
                     "phones": {}}
        passwords = state["passwords"]
        cfg = _config(self.folder, state)
        users_file = _users_file(self.folder)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        port = self.sock.getsockname()[1]
        url = "https://127.0.0.1:%d" % port
        _write(os.path.join(self.folder, "pi_wsgi.py"), WSGI % {
            "cfg": cfg, "marker": os.path.join(self.folder, "set-up"), "users": users_file,
            "passwords": json.dumps(passwords), "registration": url + "/ttype/push"}, 0o644)
        log = open(os.path.join(self.folder, "gunicorn.log"), "wb")
        fd = self.sock.fileno()
        self.process = subprocess.Popen(
            [self.python, "-m", "gunicorn", "--bind", "fd://%d" % fd, "--workers", "1",
             "--worker-class", "gthread", "--threads", "8", "--timeout", "60", "--preload",
             "--certfile", tls["server.pem"], "--keyfile", tls["server.key"],
             "--chdir", self.folder, "pi_wsgi:application"],
            pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.folder,
            start_new_session=True)
        log.close()
        session = requests.Session()
        # Only this CA, and no proxy: the environment's REQUESTS_CA_BUNDLE would otherwise win.
        session.trust_env = False
        session.verify = tls["ca.pem"]
        self.session, self.url = session, url
        # The socket is listening already: this request waits in its backlog until the
        # worker has loaded the application and serves it.
        answer = session.get(url + "/healthz/startupz", timeout=120)
        if answer.status_code != 200:
            raise RuntimeError("privacyIDEA did not start: HTTP %d" % answer.status_code)
        timings["serverSeconds"] = round(time.monotonic() - clock, 2)
        self.helper = PhoneHelper()
        users = {u: {"pushToken": False} for u in USERS}
        if state["phones"]:
            phones = {user: Phone.restore(session, url + "/ttype/push", saved)
                      for user, saved in state["phones"].items()}
        else:
            with concurrent.futures.ThreadPoolExecutor(len(PHONES)) as pool:
                phones = dict(pool.map(lambda u: (u, self.enrol(u, passwords[FIXTURE_ADMIN])), PHONES))
            state["phones"] = {user: phone.state() for user, phone in phones.items()}
            self._save_cache(key, state)
        for user, phone in phones.items():
            behaviour, delay = PHONES[user]
            self.helper.add(user, phone, behaviour, delay)
            users[user] = {"pushToken": True, "serial": phone.serial, "behaviour": behaviour}
        self.helper.start()
        timings["readySeconds"] = round(time.monotonic() - clock, 2)
        self.fixture_password = passwords[FIXTURE_ADMIN]
        self.info = {
            "url": url,
            "caFile": tls["ca.pem"],
            "certificateSha256": fingerprint,
            "signingKeyFile": os.path.join(self.folder, "public.pem"),
            "realm": REALM,
            "serviceUser": SERVICE_USER,
            "servicePassword": passwords[SERVICE_USER],
            "triggerOnlyUser": TRIGGER_ONLY_USER,
            "triggerOnlyPassword": passwords[TRIGGER_ONLY_USER],
            "users": users,
            "folder": self.folder,
            "timings": timings,
        }
        return self.info

    def enrol(self, user, fixture_password=None):
        """Enrols a new push token for ``user`` (both steps) on a new phone and returns it."""
        session, url = self.session, self.url
        token = session.post(url + "/auth", data={
            "username": FIXTURE_ADMIN, "password": fixture_password or self.fixture_password},
            timeout=60).json()["result"]["value"]["token"]
        init = session.post(url + "/token/init", headers={"PI-Authorization": token}, data={
            "type": "push", "genkey": "1", "user": user, "realm": REALM}, timeout=60).json()
        if init["result"]["status"] is not True:
            raise RuntimeError("enrolling %s failed: %r" % (user, init["result"]))
        phone = Phone(session)
        phone.enrol(init["detail"]["pushurl"]["value"])
        return phone

    def tell(self, user, answer):
        self.helper.tell(user, answer)

    def log_tail(self, chars=4000):
        path = os.path.join(self.folder or "", "gunicorn.log")
        try:
            with open(path, "rb") as f:
                return f.read()[-chars:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.helper:
            self.helper.stop()
        if self.process and self.process.poll() is None:
            # gunicorn and its worker are a process group of their own: a test server needs no
            # graceful shutdown (gunicorn's own takes seconds), so both end at once.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                self.process.kill()
            self.process.wait()
        if self.sock:
            self.sock.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def main():
    server = PrivacyIdeaServer()
    try:
        info = server.start()
    except BaseException as e:
        sys.stderr.write("privacyIDEA did not start: %s\n%s\n" % (e, server.log_tail()))
        server.stop()
        return 1
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    try:
        # Nothing more goes to standard output: the caller may stop reading it.
        for line in sys.stdin:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "tell":
                server.tell(parts[1], parts[2])
            elif parts:
                sys.stderr.write("privacyidea_server: unknown command %r\n" % parts[0])
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
