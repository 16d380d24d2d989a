"""The simulator's Duo Auth API seen by Duo's official Python client (duo_client, PyPI
duo-client): it signs every call (v5 by default, v2 too), checks TLS against the
simulator's CA file and speaks the calls the way real integrations do. If the simulator
accepts its signatures and answers what it expects, the simulator speaks real Duo; the
engine is then tested against the same simulator (rust/engine/tests/duo.rs).

Run: MFA_SIM=target/debug/mfa-sim python3 -m pytest tests/python
"""
import time

import duo_client
import pytest

DEMO_IKEY = "DIDEMOINTEGRATION001"
DEMO_SKEY = "demo-duo-secret-key-for-mfa-sim-only-0000"


def auth_api(sim, skey=DEMO_SKEY, ikey=DEMO_IKEY, sig_version=None):
    # duo_client checks DNS names only (not IP addresses) in the certificate: the
    # simulator's certificate names localhost, and duo_client signs "localhost".
    url, cert, _ = sim
    port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    return duo_client.Auth(ikey=ikey, skey=skey, host="localhost", port=port,
                           ca_certs=cert, sig_version=sig_version)


def test_the_simulator_prints_the_api_and_integration_key_but_never_the_secret(sim):
    _, _, lines = sim
    assert any(line.startswith("duo-api: https://127.0.0.1:") and DEMO_IKEY in line for line in lines)
    assert all(DEMO_SKEY not in line for line in lines)


def test_ping_is_unsigned_and_returns_the_server_time(sim):
    t = auth_api(sim).ping()["time"]
    assert abs(t - time.time()) < 5


@pytest.mark.parametrize("sig_version", [5, 2])
def test_check_accepts_the_official_signatures(sim, sig_version):
    assert "time" in auth_api(sim, sig_version=sig_version).check()


def test_a_wrong_secret_key_is_refused_with_duos_code(sim):
    with pytest.raises(RuntimeError) as e:
        auth_api(sim, skey="x" * 40).check()
    assert e.value.status == 401
    assert "40103" in str(e.value) or "signature" in str(e.value).lower()


def test_a_wrong_integration_key_is_refused(sim):
    with pytest.raises(RuntimeError) as e:
        auth_api(sim, ikey="DIWRONGINTEGRATION01").check()
    assert e.value.status == 401


@pytest.mark.parametrize("user,result", [
    ("alice@contoso.com", "auth"),
    ("bob@contoso.com", "auth"),
    ("carol@contoso.com", "auth"),
    ("mallory@contoso.com", "auth"),
    ("victor@contoso.com", "auth"),
    ("bypass@contoso.com", "allow"),
    ("locked@contoso.com", "deny"),
    ("enroll@contoso.com", "enroll"),
])
def test_preauth(sim, user, result):
    r = auth_api(sim).preauth(username=user, client_supports_verified_push="1")
    assert r["result"] == result
    if result == "auth":
        assert r["devices"][0]["capabilities"]


def test_a_username_alias_reaches_the_same_user_and_device(sim):
    # asmith@contoso.com is an alias of alice (issue 24): Duo answers it as alice, so the same
    # device; bob is another user on another device.
    api = auth_api(sim)
    alice = api.preauth(username="alice@contoso.com")["devices"]
    alias = api.preauth(username="asmith@contoso.com")["devices"]
    bob = api.preauth(username="bob@contoso.com")["devices"]
    assert [d["device"] for d in alias] == [d["device"] for d in alice]
    assert alice[0]["device"] != bob[0]["device"]
    assert alice[0]["number"].endswith("0001")
    # A push to a device that is not the user's is refused, as Duo does.
    with pytest.raises(RuntimeError, match="40002|device"):
        api.auth(username="bob@contoso.com", factor="push", device=alice[0]["device"], async_txn=True)


@pytest.mark.parametrize("user,result,status", [
    ("alice@contoso.com", "allow", "allow"),
    ("bob@contoso.com", "deny", "deny"),
    ("carol@contoso.com", "deny", "timeout"),
    ("mallory@contoso.com", "deny", "fraud"),
    ("victor@contoso.com", "allow", "allow"),
])
@pytest.mark.parametrize("sig_version", [5, 2])
def test_async_push_then_long_polled_status(sim, user, result, status, sig_version):
    api = auth_api(sim, sig_version=sig_version)
    txid = api.auth(factor="push", username=user, device="auto", async_txn=True,
                    type="Approve MIM request", pushinfo="mimRequestId=1234%205678")["txid"]
    seen = []
    for _ in range(20):
        s = api.auth_status(txid)
        seen.append(s)
        if not s["waiting"]:
            break
    final = seen[-1]
    assert not final["waiting"]
    assert final["success"] == (result == "allow")
    assert final["status"] == status
    if user == "victor@contoso.com":
        assert "verification code 376" in seen[0]["status_msg"]
    # Long poll: no busy loop; one waiting answer, then the decision.
    assert len(seen) <= 3


def test_rate_limits_are_answered_429_and_the_official_client_backs_off(sim):
    start = time.time()
    r = auth_api(sim).preauth(username="ratelimited@faults.contoso.com")
    assert r["result"] == "auth"
    assert time.time() - start >= 2  # two 429s, each followed by the client's backoff
