"""The simulator's privacyIDEA API against a real privacyIDEA 3.14, on one scenario.

The same calls go to both (the service account's sign-in and a wrong password, a push for a
user whose phone approves, one who declines, one who never answers, one with no token, an
unknown user, a missing token, the presence mode, the final checks, a withdraw, the user and
token listings), and the answers must have the same HTTP status and the same shape: the same
members at every level with the same JSON types. The signatures are checked the way
privacyIDEA checks them (``privacyidea.lib.crypto.Sign.verify`` over
``json.dumps(content, sort_keys=True)`` of the answer without its ``signature``), so the
simulator's bytes are privacyIDEA's serialisation and its signatures privacyIDEA's scheme.

Also, on the real server: a push token enrolled by the scripted phone during this run (frank)
approves, and a phone's answer with a bad signature is not taken.
"""
import json
import os
import time

import pytest
import requests

DEMO_KEY_MARK = "DEMO_SIGNING_PUBLIC_KEY"


def sim_public_key():
    """The simulator's demo signing key, read from its source (demo only)."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "rust", "sim", "src", "privacyidea", "wire.rs")) as f:
        text = f.read()
    start = text.index(DEMO_KEY_MARK)
    lines = []
    for line in text[start:].splitlines()[1:]:
        line = line.strip()
        if line.startswith('"'):
            lines.append(line.strip('",').replace("\\n", ""))
        if "END PUBLIC KEY" in line:
            break
    return ("\n".join(lines) + "\n").encode()


def shape(value, path=""):
    """The JSON types at every level (a token's free-form ``info`` only as an object)."""
    if isinstance(value, dict):
        if path.endswith(".info"):
            return "object"
        return {k: shape(v, path + "." + k) for k, v in value.items()}
    if isinstance(value, list):
        return ["list"] + [shape(v, path + "[]") for v in value[:1]]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "null"
    return "str"


def verify(body, public_pem):
    """privacyIDEA's own check of an answer's signature."""
    from privacyidea.lib.crypto import Sign
    content = json.loads(body)
    signature = content.pop("signature")
    signed = json.dumps(content, sort_keys=True)
    assert Sign(public_key=public_pem).verify(signed, signature), "the signature verifies"


class Side:
    """One server: where it is, how to reach it, who the service account is."""

    def __init__(self, url, ca, user, password, public_pem):
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = ca
        self.user, self.password, self.public_pem = user, password, public_pem
        self.token = None
        self.answers = []

    def call(self, name, method, path, admin=False, **params):
        headers = {"PI-Authorization": self.token} if admin and self.token else {}
        if method in ("GET", "DELETE"):
            r = self.session.request(method, self.url + path, params=params, headers=headers)
        else:
            r = self.session.request(method, self.url + path, data=params, headers=headers)
        assert r.headers["Content-Type"].startswith("application/json"), name
        verify(r.content, self.public_pem)
        body = r.json()
        self.answers.append((name, r.status_code, body))
        return body

    def scenario(self):
        self.call("auth wrong password", "POST", "/auth", username=self.user, password="wrong-" + self.password)
        auth = self.call("auth", "POST", "/auth", username=self.user, password=self.password, nonce="n1")
        self.token = auth["result"]["value"]["token"]
        self.call("trigger without token", "POST", "/validate/triggerchallenge", user="alice", realm="contoso")
        self.call("trigger unknown user", "POST", "/validate/triggerchallenge", admin=True, user="nobody", realm="contoso")
        self.call("trigger no token", "POST", "/validate/triggerchallenge", admin=True, user="dave", realm="contoso")
        self.call("trigger presence", "POST", "/validate/triggerchallenge", admin=True, user="victor", realm="contoso")
        tx = {}
        for user in ("alice", "bob", "carol"):
            body = self.call("trigger " + user, "POST", "/validate/triggerchallenge", admin=True,
                             user=user, realm="contoso", nonce="n2")
            tx[user] = body["detail"]["transaction_id"]
        self.call("poll pending", "GET", "/validate/polltransaction", transaction_id=tx["carol"])
        for user, final in (("alice", "accept"), ("bob", "declined")):
            deadline = time.monotonic() + 15
            while True:
                body = self.call("poll " + final, "GET", "/validate/polltransaction", transaction_id=tx[user])
                if body["detail"]["challenge_status"] == final:
                    break
                self.answers.pop()
                assert time.monotonic() < deadline, "%s never became %s" % (user, final)
                time.sleep(0.2)
        self.call("check accept", "POST", "/validate/check", user="alice", realm="contoso", **{"pass": ""},
                  transaction_id=tx["alice"], nonce="n3")
        self.call("check declined", "POST", "/validate/check", user="bob", realm="contoso", **{"pass": ""},
                  transaction_id=tx["bob"])
        self.call("check unknown transaction", "POST", "/validate/check", user="carol", realm="contoso",
                  **{"pass": ""}, transaction_id="123")
        self.call("cancel", "DELETE", "/token/challenges/transaction/" + tx["carol"], admin=True)
        self.call("users", "GET", "/user/", admin=True, username="alice", realm="contoso")
        self.call("tokens", "GET", "/token/", admin=True, user="alice", realm="contoso", type="push")
        return self.answers


@pytest.fixture(scope="module")
def both(sim, privacyidea):
    url, ca, _ = sim
    base = url.split("/MultiFactorAuthWebServiceSdk")[0]
    info = privacyidea.info
    with open(info["signingKeyFile"], "rb") as f:
        real_key = f.read()
    real = Side(info["url"], info["caFile"], info["serviceUser"], info["servicePassword"], real_key)
    simulated = Side(base, ca, "demo-admin", "demo-password", sim_public_key())
    # victor's phone on the real server picks what the asker shows.
    return real, simulated


def test_the_simulator_answers_with_privacyideas_shapes(both, privacyidea):
    real, simulated = both
    real_answers = real.scenario()
    # The presence answer shown to victor, so his phone on the real server answers too.
    presence = [b for n, _, b in real_answers if n == "trigger presence"][0]
    privacyidea.tell("victor", presence["detail"]["multi_challenge"][0]["presence_answer"])
    sim_answers = simulated.scenario()
    assert [n for n, _, _ in real_answers] == [n for n, _, _ in sim_answers]
    for (name, real_status, real_body), (_, sim_status, sim_body) in zip(real_answers, sim_answers):
        assert sim_status == real_status, name
        assert shape(sim_body) == shape(real_body), "%s:\nsim  %s\nreal %s" % (
            name, shape(sim_body), shape(real_body))
    decisive = {n: b for n, _, b in sim_answers}
    assert decisive["check accept"]["result"]["authentication"] == "ACCEPT"
    assert decisive["check accept"]["nonce"] == "n3"
    assert decisive["poll declined"]["result"]["authentication"] == "DECLINED"


def test_the_simulator_writes_pythons_json(sim):
    url, ca, _ = sim
    s = requests.Session()
    s.trust_env = False
    s.verify = ca
    r = s.post(url.split("/MultiFactorAuthWebServiceSdk")[0] + "/auth",
               data={"username": "demo-admin", "password": "demo-password", "nonce": "\u00e9\u2028\U0001f600"})
    assert r.text == json.dumps(r.json(), sort_keys=True)


def test_a_token_enrolled_now_by_the_phone_approves(privacyidea):
    """The whole enrolment every run (the server's state may come from the cache)."""
    from privacyidea_phone import Phone
    phone = privacyidea.enrol("frank")
    s = privacyidea.session
    url = privacyidea.info["url"]
    token = s.post(url + "/auth", data={"username": privacyidea.info["serviceUser"],
                                        "password": privacyidea.info["servicePassword"]}).json()
    headers = {"PI-Authorization": token["result"]["value"]["token"]}
    trigger = s.post(url + "/validate/triggerchallenge", headers=headers,
                     data={"user": "frank", "realm": "contoso"}).json()
    tx = trigger["detail"]["transaction_id"]
    challenges = phone.poll()
    assert len(challenges) == 1
    # A forged answer (signed with another key) is not taken.
    forger = Phone(s)
    forger.serial, forger.url = phone.serial, phone.url
    forger.answer(challenges[0])
    assert s.get(url + "/validate/polltransaction", params={"transaction_id": tx}).json()[
        "detail"]["challenge_status"] == "pending"
    answer = phone.answer(challenges[0])
    assert answer["result"]["value"] is True
    check = s.post(url + "/validate/check", data={"user": "frank", "realm": "contoso", "pass": "",
                                                  "transaction_id": tx}).json()
    assert check["result"]["authentication"] == "ACCEPT"
    assert check["detail"]["serial"] == phone.serial
