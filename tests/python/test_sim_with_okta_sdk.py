"""The simulator's Okta API seen by Okta's official Python SDK (PyPI okta, 3.x): it finds
the user, lists its factors, verifies the Okta Verify push (with and without a number
challenge) and polls the transaction to each documented result, deserialising every answer
into the SDK's own models. If the SDK accepts the simulator's answers, the simulator speaks
Okta's API; the engine is then tested against the same simulator (rust/engine/tests/okta.rs).

TLS: the SDK's `sslContext` setting cannot carry our CA (the SDK deep-copies its
configuration and an ssl.SSLContext cannot be copied), so the test hands the SDK an aiohttp
session whose connector trusts the simulator's CA, through the request executor's
set_session (what the SDK's own `async with` uses).

Run: MFA_SIM=target/debug/mfa-sim python3 -m pytest tests/python
"""
import asyncio
import ssl
import time

import aiohttp
import pytest
from okta.client import Client as OktaClient
from okta.models.user_factor_verify_request import UserFactorVerifyRequest

DEMO_TOKEN = "00demo-okta-api-token-for-mfa-sim-only-0000000"


def org_url(sim):
    _, _, lines = sim
    return next(line.split(" ")[1] for line in lines if line.startswith("okta-api: "))


def run(sim, body, token=DEMO_TOKEN):
    """Runs `body(client)` with an SDK client for the simulator's org."""
    _, cert, _ = sim

    async def main():
        client = OktaClient({"orgUrl": org_url(sim), "token": token})
        ctx = ssl.create_default_context(cafile=cert)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session:
            client._request_executor.set_session(session)
            return await body(client)

    return asyncio.run(main())


def factor_type(f):
    inner = getattr(f, "actual_instance", None) or f
    return inner.factor_type, inner.provider, inner.status, inner.id


async def find_push(client, login):
    user, _, err = await client.get_user(login)
    assert err is None, err
    factors, _, err = await client.list_factors(user.id)
    assert err is None, err
    pushes = [factor_type(f) for f in factors if str(factor_type(f)[0]).lower().endswith("push")]
    return user, pushes


async def push_and_poll(client, login, number=False, limit=30):
    user, pushes = await find_push(client, login)
    assert len(pushes) == 1, pushes
    factor_id = pushes[0][3]
    body = UserFactorVerifyRequest.from_dict({"useNumberMatchingChallenge": True}) if number else None
    started, resp, err = await client.verify_factor(
        user.id, factor_id, user_agent="mfa-sim test (okta sdk)", body=body)
    assert err is None, err
    assert resp.status_code == 201
    waiting = getattr(started, "actual_instance", None) or started
    challenge = None
    if number:
        challenge = waiting.embedded.challenge.correct_answer
    poll_href = waiting.links.poll.href
    transaction_id = poll_href.rsplit("/", 1)[1]
    assert poll_href.startswith(org_url(sim_holder[0]))
    results = []
    for _ in range(limit):
        status, _, err = await client.get_factor_transaction_status(user.id, factor_id, transaction_id)
        assert err is None, err
        inner = getattr(status, "actual_instance", None) or status
        result = str(inner.factor_result.value if hasattr(inner.factor_result, "value") else inner.factor_result)
        results.append(result)
        if result != "WAITING":
            break
        await asyncio.sleep(1)
    return results, challenge


sim_holder = []


@pytest.fixture(autouse=True)
def remember(sim):
    sim_holder[:] = [sim]


def test_the_simulator_prints_the_org_url_but_never_the_token(sim):
    _, _, lines = sim
    assert org_url(sim).startswith("https://127.0.0.1:")
    assert all(DEMO_TOKEN not in line for line in lines)


def test_a_wrong_token_is_refused_with_oktas_error(sim):
    async def body(client):
        return await client.get_user("alice@contoso.com")

    user, _, err = run(sim, body, token="00wrong-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert user is None
    assert "E0000011" in str(err)


def test_the_sdk_finds_users_and_their_okta_verify_factor(sim):
    async def body(client):
        return [await find_push(client, login) for login in ("alice@contoso.com", "dave@contoso.com")]

    (alice, alice_push), (dave, dave_push) = run(sim, body)
    assert alice.profile.login == "alice@contoso.com"
    assert [p[1:3] for p in alice_push] == [("OKTA", "ACTIVE")]
    assert dave.id and dave_push == []


def test_a_user_is_found_by_login_and_by_id_as_one_user(sim):
    # Okta answers a login and the same user's id alike (issue 24: two names, one person).
    async def body(client):
        by_login, _, err = await client.get_user("alice@contoso.com")
        assert err is None, err
        by_id, _, err = await client.get_user(by_login.id)
        assert err is None, err
        return by_login, by_id

    by_login, by_id = run(sim, body)
    assert by_id.id == by_login.id and by_id.profile.login == "alice@contoso.com"


def test_an_unknown_user_is_oktas_404(sim):
    async def body(client):
        return await client.get_user("nobody@contoso.com")

    user, _, err = run(sim, body)
    assert user is None and "E0000007" in str(err)


@pytest.mark.parametrize("login,final", [
    ("alice@contoso.com", "SUCCESS"),
    ("bob@contoso.com", "REJECTED"),
    ("carol@contoso.com", "TIMEOUT"),
    ("instant@contoso.com", "SUCCESS"),
])
def test_a_push_polls_to_its_documented_result(sim, login, final):
    results, _ = run(sim, lambda client: push_and_poll(client, login))
    assert results[-1] == final, results
    assert all(r == "WAITING" for r in results[:-1]), results


def test_a_number_challenge_comes_with_the_push(sim):
    results, challenge = run(sim, lambda client: push_and_poll(client, "alice@contoso.com", number=True))
    assert results[-1] == "SUCCESS"
    assert isinstance(challenge, int) and 10 <= challenge <= 99


def test_rate_limit_headers_come_with_every_answer(sim):
    async def body(client):
        _, resp, err = await client.get_user("alice@contoso.com")
        return resp.headers, err

    headers, err = run(sim, body)
    assert err is None
    names = {k.lower(): v for k, v in dict(headers).items()}
    assert int(names["x-rate-limit-limit"]) > 0
    assert int(names["x-rate-limit-remaining"]) >= 0
    assert int(names["x-rate-limit-reset"]) > time.time() - 1
