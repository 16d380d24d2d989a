"""A scripted privacyIDEA Authenticator: the phone side of privacyIDEA's push token.

It speaks the protocol the privacyIDEA Authenticator app speaks (read from privacyIDEA 3.14,
``privacyidea/lib/tokens/pushtoken.py``, ``PushTokenClass.api_endpoint``):

- **Enrolment, second step**: the app scans the ``otpauth://pipush/...`` URL the first step
  returned, makes an RSA key pair and ``POST``s ``serial``, ``fbtoken``, ``pubkey`` (its
  SubjectPublicKeyInfo, base64url, no PEM armour) and ``enrollment_credential`` to the URL's
  ``url`` (the ``/ttype/push`` endpoint); the answer carries the server's public key
  (``detail.public_key``), which signs every challenge from then on.
- **Polling** (poll-only tokens, no Firebase): ``GET /ttype/push?serial=S&timestamp=T&signature=X``
  where ``X`` is base32(RSA-PKCS#1 v1.5-SHA256 over ``S|T``) made with the phone's key and ``T``
  is an ISO 8601 time within a minute of the server's; the answer's ``result.value`` lists the
  open challenges, each signed by the server over
  ``nonce|url|serial|question|title|sslverify[|require_presence]`` (verified here).
- **Answer**: ``POST /ttype/push`` with ``serial``, ``nonce`` and a signature over
  ``nonce|serial`` (accept), ``nonce|serial|decline`` (decline, ``decline=1``) or
  ``nonce|serial|decline|unknown_trigger`` (a decline with ``decline_reason=unknown_trigger``:
  "I did not trigger this", which privacyIDEA reports as ``declined``; a plain decline too) or
  ``nonce|serial|<presence answer>`` (``presence_answer``, when the challenge asks the person
  to pick what the asker shows).

:class:`Phone` is one enrolled token; :class:`PhoneHelper` runs phones in the background and
answers per user: ``approve``, ``decline``, ``ignore``, or ``presence`` (pick the option the
test names with :meth:`PhoneHelper.tell`).
"""
import base64
import datetime
import threading
import time
import urllib.parse

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

BEHAVIOURS = ("approve", "decline", "decline-unknown", "ignore", "presence")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii")


def parse_enrolment_url(url: str) -> dict:
    """The parameters of an ``otpauth://pipush/<label>?...`` enrolment URL (one value each)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("otpauth", "pia") or parsed.netloc != "pipush":
        raise ValueError("not a privacyIDEA push enrolment URL: %r" % url[:40])
    params = urllib.parse.parse_qs(parsed.query, keep_blank_values=True, strict_parsing=True)
    for key, values in params.items():
        if len(values) != 1:
            raise ValueError("the enrolment URL repeats %r" % key)
    return {k: v[0] for k, v in params.items()}


class Phone:
    """One push token on a scripted phone."""

    def __init__(self, session: requests.Session, key_bits: int = 2048):
        self.session = session
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
        self.serial = None
        self.url = None
        self.server_key = None

    def state(self) -> dict:
        """What it takes to use this phone again (its key, serial and the server's key)."""
        return {
            "key": self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode("ascii"),
            "serial": self.serial,
            "serverKey": base64.b64encode(self.server_key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.PKCS1)).decode("ascii"),
        }

    @classmethod
    def restore(cls, session: requests.Session, url: str, state: dict) -> "Phone":
        """An enrolled phone from :meth:`state`, talking to ``url`` (the server's /ttype/push)."""
        phone = cls.__new__(cls)
        phone.session = session
        phone.key = serialization.load_pem_private_key(state["key"].encode("ascii"), None)
        phone.serial = state["serial"]
        phone.url = url
        phone.server_key = serialization.load_der_public_key(base64.b64decode(state["serverKey"]))
        return phone

    def public_key_b64url(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.urlsafe_b64encode(der).decode("ascii")

    def _sign(self, text: str) -> str:
        return _b32(self.key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()))

    def enrol(self, enrolment_url: str) -> dict:
        """The second enrolment step; returns the server's answer."""
        params = parse_enrolment_url(enrolment_url)
        self.serial = params["serial"]
        self.url = params["url"]
        answer = self.session.post(self.url, data={
            "serial": self.serial,
            "fbtoken": "poll-only",
            "pubkey": self.public_key_b64url(),
            "enrollment_credential": params["enrollment_credential"],
        })
        answer.raise_for_status()
        body = answer.json()
        if body["result"]["status"] is not True:
            raise RuntimeError("enrolment refused: %r" % body["result"])
        # The server's key: PKCS#1 DER, base64, its PEM armour stripped (lib/crypto.py generate_keypair).
        stripped = body["detail"]["public_key"]
        self.server_key = serialization.load_der_public_key(base64.b64decode("".join(stripped.split())))
        return body

    def poll(self) -> list:
        """The open challenges of this token, each checked against the server's signature."""
        timestamp = datetime.datetime.now(datetime.timezone.utc).isoformat()
        answer = self.session.get(self.url, params={
            "serial": self.serial,
            "timestamp": timestamp,
            "signature": self._sign("%s|%s" % (self.serial, timestamp)),
        })
        answer.raise_for_status()
        body = answer.json()
        if body["result"]["status"] is not True:
            raise RuntimeError("poll refused: %r" % body["result"])
        challenges = []
        for c in body["result"]["value"]:
            signed = "{nonce}|{url}|{serial}|{question}|{title}|{sslverify}".format(**c)
            if "require_presence" in c:
                signed += "|" + c["require_presence"]
            try:
                self.server_key.verify(base64.b32decode(c["signature"]), signed.encode("utf-8"),
                                       padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                raise RuntimeError("a challenge with a bad server signature: %r" % c["nonce"])
            challenges.append(c)
        return challenges

    def answer(self, challenge: dict, decline: bool = False, presence: str = None,
               decline_reason: str = None) -> dict:
        """Accepts or declines one challenge (with the presence answer when it asks for one)."""
        nonce = challenge["nonce"]
        data = {"serial": self.serial, "nonce": nonce}
        signed = "%s|%s" % (nonce, self.serial)
        if decline:
            data["decline"] = "1"
            signed += "|decline"
            if decline_reason:
                data["decline_reason"] = decline_reason
                signed += "|" + decline_reason
        elif presence is not None:
            data["presence_answer"] = presence
            signed += "|" + presence
        data["signature"] = self._sign(signed)
        answer = self.session.post(self.url, data=data)
        answer.raise_for_status()
        return answer.json()


class PhoneHelper:
    """Phones that answer in the background, one behaviour per user.

    ``approve`` accepts every challenge once its delay has passed, ``decline`` declines it,
    ``decline-unknown`` declines it as "I did not trigger this", ``ignore`` never answers, ``presence`` picks the option named by :meth:`tell` (and waits
    until it is told). Every phone polls every ``interval`` seconds, as the app does.
    """

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.phones = {}  # user -> (phone, behaviour, delay)
        self.told = {}
        self.answered = []
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def add(self, user: str, phone: Phone, behaviour: str, delay: float = 0.0):
        if behaviour not in BEHAVIOURS:
            raise ValueError("unknown behaviour %r" % behaviour)
        self.phones[user] = (phone, behaviour, delay)

    def tell(self, user: str, answer: str):
        """The presence answer the asker showed ``user`` (what the person picks)."""
        with self._lock:
            self.told[user] = answer

    def start(self):
        self._thread = threading.Thread(target=self._run, name="privacyidea-phones", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self):
        seen = {}
        while not self._stop.is_set():
            for user, (phone, behaviour, delay) in list(self.phones.items()):
                if behaviour == "ignore":
                    continue
                try:
                    for c in phone.poll():
                        first = seen.setdefault(c["nonce"], time.monotonic())
                        if time.monotonic() - first < delay:
                            continue
                        if behaviour == "presence":
                            with self._lock:
                                pick = self.told.pop(user, None)
                            if pick is None:
                                continue
                            phone.answer(c, presence=pick)
                        elif behaviour == "decline-unknown":
                            phone.answer(c, decline=True, decline_reason="unknown_trigger")
                        else:
                            phone.answer(c, decline=behaviour == "decline")
                        with self._lock:
                            self.answered.append((user, behaviour, c["nonce"]))
                except Exception as e:  # noqa: BLE001 - reported, the helper goes on
                    with self._lock:
                        self.errors.append("%s: %s" % (user, e))
            self._stop.wait(self.interval)
