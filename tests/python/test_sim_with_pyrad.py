"""The simulator's RADIUS side (mfa-sim --radius) seen by pyrad (PyPI), an independent
RADIUS client: it hides the PAP password, adds a Message-Authenticator, and with
enforce_ma verifies each answer's Response Authenticator and Message-Authenticator
itself. If it accepts the simulator's answers and refuses the faulty ones, the simulator
speaks real RADIUS; the engine is then tested against the same simulator
(rust/engine/tests/radius.rs), and against a real FreeRADIUS.

Run: MFA_SIM=target/debug/mfa-sim python3 -m pytest tests/python
"""
import os
import subprocess
import tempfile

import pytest
from pyrad import packet
from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary

from conftest import ROOT

DEMO_SECRET = b"demo-radius-shared-secret-for-mfa-sim-only"
DEMO_PASSWORD = "demo-radius-password"

DICTIONARY = """\
ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string encrypt=1
ATTRIBUTE Service-Type 6 integer
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE State 24 octets
ATTRIBUTE Calling-Station-Id 31 string
ATTRIBUTE NAS-Identifier 32 string
ATTRIBUTE Message-Authenticator 80 octets
"""


@pytest.fixture(scope="module")
def radius():
    """Starts mfa-sim --radius; yields (host, port, printed lines)."""
    binary = os.environ.get("MFA_SIM", os.path.join(ROOT, "target", "debug", "mfa-sim"))
    proc = subprocess.Popen(
        [binary, "--http", "--radius", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    lines = []
    while not lines or lines[-1] != "ready":
        line = proc.stdout.readline()
        assert line, "the simulator exited before 'ready': %r" % lines
        lines.append(line.strip())
    address = [l for l in lines if l.startswith("radius: ")][0].split()[1]
    host, port = address.rsplit(":", 1)
    yield host, int(port), lines
    proc.stdin.close()
    proc.wait(timeout=10)


def client(radius, secret=DEMO_SECRET, timeout=3):
    host, port, _ = radius
    path = os.path.join(tempfile.mkdtemp(), "dictionary")
    with open(path, "w") as f:
        f.write(DICTIONARY)
    c = Client(server=host, authport=port, secret=secret, dict=Dictionary(path),
               retries=1, timeout=timeout, enforce_ma=True)
    return c


def ask(c, user, password="", message_authenticator=True):
    # pyrad signs Access-Requests unless told not to (message_authenticator=False).
    req = c.CreateAuthPacket(code=packet.AccessRequest, User_Name=user,
                             NAS_Identifier="pyrad",
                             message_authenticator=message_authenticator)
    req["User-Password"] = req.PwCrypt(password)
    return c.SendPacket(req)


def test_the_secret_is_never_printed(radius):
    _, _, lines = radius
    assert any(l.startswith("radius: ") for l in lines)
    assert all(DEMO_SECRET.decode() not in l for l in lines)


@pytest.mark.parametrize("user,code,text", [
    ("alice@contoso.com", packet.AccessAccept, "Approved on the device"),
    ("bob@contoso.com", packet.AccessReject, "Denied on the device"),
    ("mallory@contoso.com", packet.AccessReject, "Fraud reported"),
    ("challenge@contoso.com", packet.AccessChallenge, "Microsoft Authenticator"),
    ("nobody@contoso.com", packet.AccessReject, "Unknown user"),
])
def test_each_demo_user_answers_as_documented_with_a_verified_message_authenticator(radius, user, code, text):
    reply = ask(client(radius), user)
    assert reply.code == code
    assert text in reply["Reply-Message"][0]
    # enforce_ma=True already refused a reply without a valid one; check it is there.
    assert reply.message_authenticator


def test_the_fixed_password_is_accepted_and_a_wrong_one_rejected(radius):
    assert ask(client(radius), "alice@contoso.com", DEMO_PASSWORD).code == packet.AccessAccept
    reply = ask(client(radius), "alice@contoso.com", "wrong")
    assert reply.code == packet.AccessReject


@pytest.mark.parametrize("user", ["unsigned@contoso.com", "wrongsecret@contoso.com"])
def test_pyrad_refuses_the_faulty_answers_too(radius, user):
    with pytest.raises(Timeout):
        ask(client(radius, timeout=2), user)


def test_carol_never_answers(radius):
    with pytest.raises(Timeout):
        ask(client(radius, timeout=2), "carol@contoso.com")


def test_requests_without_a_message_authenticator_or_with_the_wrong_secret_get_no_answer(radius):
    with pytest.raises(Timeout):
        ask(client(radius, timeout=2), "alice@contoso.com", message_authenticator=False)
    with pytest.raises(Timeout):
        ask(client(radius, secret=b"not-the-secret", timeout=2), "alice@contoso.com")
