"""The audit trail from Python: the C ABI through ctypes (a client with auditPath and the
audit key, approvals against the simulator's Duo API, mfa_audit_verify), and an independent
verifier written from the format's definition (audit_reference.py) that must agree with the
engine on the file as written and on each tampered copy."""
import ctypes
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import audit_reference  # noqa: E402

from conftest import ROOT  # noqa: E402

KEY = b"python-audit-key-0123456789"
DUO_KEY = b"demo-duo-secret-key-for-mfa-sim-only-0000"
MFA_SECRET_DUO_SECRET_KEY = 3
MFA_SECRET_AUDIT_KEY = 9
MFA_AUDIT_REPORT_MAX_LEN = 4096


class Secret(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_uint32), ("data", ctypes.c_char_p), ("len", ctypes.c_size_t)]


def library():
    """The C ABI library beside the staged simulator (MFA_SIM), else the cargo build."""
    sim = os.environ.get("MFA_SIM")
    candidates = []
    if sim:
        bin_rid = os.path.dirname(sim)
        module = os.path.dirname(os.path.dirname(bin_rid))
        candidates.append(os.path.join(module, "runtimes", os.path.basename(bin_rid), "native", "libmfa_approval.so"))
    candidates += [os.path.join(ROOT, "target", t, "libmfa_approval.so") for t in ("release", "debug")]
    for path in candidates:
        if os.path.isfile(path):
            lib = ctypes.CDLL(path)
            assert lib.mfa_abi_version() >= 5
            return lib
    pytest.skip("the C ABI library (libmfa_approval.so) is not built")


def last_error(lib):
    n = ctypes.c_size_t(0)
    lib.mfa_last_error(None, 0, ctypes.byref(n))
    buf = ctypes.create_string_buffer(n.value)
    lib.mfa_last_error(buf, n, ctypes.byref(n))
    return buf.raw[: n.value].decode()


def verify_with_engine(lib, path, key):
    secrets = (Secret * 1)(Secret(MFA_SECRET_AUDIT_KEY, key, len(key))) if key else None
    buf = ctypes.create_string_buffer(MFA_AUDIT_REPORT_MAX_LEN)
    n = ctypes.c_size_t(0)
    p = path.encode()
    r = lib.mfa_audit_verify(p, len(p), secrets, 1 if key else 0, buf, len(buf), ctypes.byref(n))
    assert r == 0, last_error(lib)
    return json.loads(buf.raw[: n.value])


@pytest.fixture(scope="module")
def trail(sim, tmp_path_factory):
    """A keyed audit file of a header and three approvals, written through the C ABI."""
    lib = library()
    url, _, lines = sim
    pin = [l.split(": ", 1)[1] for l in lines if l.startswith("certificate-sha256: ")][0]
    base = url.split("/MultiFactorAuthWebServiceSdk")[0]
    path = str(tmp_path_factory.mktemp("audit") / "audit.jsonl")
    config = json.dumps({"provider": "duo", "uri": base, "integrationKey": "DIDEMOINTEGRATION001",
                         "serverCertificateSha256": [pin], "auditPath": path}).encode()
    secrets = (Secret * 2)(Secret(MFA_SECRET_DUO_SECRET_KEY, DUO_KEY, len(DUO_KEY)), Secret(MFA_SECRET_AUDIT_KEY, KEY, len(KEY)))
    client = ctypes.c_void_p()
    assert lib.mfa_client_new(config, len(config), secrets, 2, ctypes.byref(client)) == 0, last_error(lib)
    for i in range(3):
        request = ctypes.c_void_p()
        q = json.dumps({"userName": "instant@contoso.com", "pushInfo": {"ticket": "py-%d" % i}}).encode()
        assert lib.mfa_request_new(client, q, len(q), ctypes.byref(request)) == 0, last_error(lib)
        assert lib.mfa_request_start(request) == 0
        status = ctypes.c_uint32(0)
        while status.value == 0:
            assert lib.mfa_request_poll(request, 1000, ctypes.byref(status)) == 0
        assert status.value == 1, "approved"
        lib.mfa_request_free(request)
    lib.mfa_client_free(client)
    with open(path, "rb") as f:
        return lib, path, f.read()


def test_the_engine_and_the_reference_verifier_accept_the_file(trail):
    lib, path, data = trail
    report = verify_with_engine(lib, path, KEY)
    assert report["valid"] and report["records"] == 3 and report["keyed"], report
    assert audit_reference.verify(data, KEY) == (True, 3)
    assert audit_reference.verify(data) == (True, 3)
    assert KEY not in data


@pytest.mark.parametrize("what", ["edit", "delete", "swap", "truncate", "other key"])
def test_both_verifiers_name_the_same_first_bad_record(trail, tmp_path, what):
    lib, _, data = trail
    lines = data.split(b"\n")[:-1]
    key = KEY
    if what == "edit":
        lines[2] = lines[2].replace(b"py-1", b"py-7")
    elif what == "delete":
        del lines[2]
    elif what == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    elif what == "other key":
        key = b"another-key-of-enough-length"
    tampered = b"\n".join(lines) + b"\n"
    if what == "truncate":
        tampered = tampered[:-30]
    path = str(tmp_path / "tampered.jsonl")
    with open(path, "wb") as f:
        f.write(tampered)
    report = verify_with_engine(lib, path, key)
    reference = audit_reference.verify(tampered, key)
    assert not report["valid"] and not reference[0], (report, reference)
    assert report["firstBadRecord"] == reference[1], (report, reference)
    expected = {"edit": 2, "delete": 2, "swap": 1, "truncate": 3, "other key": 0}[what]
    assert report["firstBadRecord"] == expected, report
