"""The simulator seen by a generic SOAP client library (zeep): it reads the WSDL over
HTTPS behind Basic auth and calls the operations the way any third-party client would.

Run: MFA_SIM=target/debug/mfa-sim python3 -m pytest tests/python
"""
import pytest
import requests
from requests.auth import HTTPBasicAuth
from zeep import Client
from zeep.transports import Transport

DEMO_USER, DEMO_PASSWORD = "demo-admin", "demo-password"


def client(url, cert):
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace `verify`
    session.verify = cert
    session.auth = HTTPBasicAuth(DEMO_USER, DEMO_PASSWORD)
    return Client(url + "?WSDL", transport=Transport(session=session))


def test_the_simulator_never_prints_the_password(sim):
    _, _, lines = sim
    assert all(DEMO_PASSWORD not in line for line in lines)
    assert any(line.startswith("certificate-sha256: ") for line in lines)


def test_wsdl_is_behind_basic_auth_with_a_challenge(sim):
    url, cert, _ = sim
    r = requests.get(url + "?WSDL", verify=cert)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].lower().startswith("basic")


def test_zeep_reads_the_wsdl_with_the_real_namespace_and_binding(sim):
    c = client(*sim[:2])
    service = c.wsdl.services["PfWsSdk"]
    port = service.ports["PfWsSdkSoap"]
    assert port.binding.name.text == "{http://www.phonefactor.com/PfWsSdk}PfWsSdkSoap"
    ops = port.binding._operations
    assert ops["PfAuthUser_4"].soapaction == "http://www.phonefactor.com/PfWsSdk/PfAuthUser_4"
    assert {"TestSecurity", "UserExists", "GetUserSettings_3", "GenerateActivationCode", "PfAuthUser_5"} <= set(ops)


def auth(c, user, op="PfAuthUser_4", **extra):
    return getattr(c.service, op)(
        username=user, initiatingAuthenticationType="pfsdk", initiatingIpAddress="",
        applicationName="zeep", requireUserMatch=True, **extra,
    )


def test_demo_users_answer_as_documented(sim):
    c = client(*sim[:2])
    alice = auth(c, "alice@contoso.com")
    assert alice.PfAuthUser_4Result is True
    assert alice.callResult.Code == 21 and alice.callResult.Description == "Mobile App Authenticated"
    assert alice.authenticationRequestId
    bob = auth(c, "bob@contoso.com")
    assert bob.PfAuthUser_4Result is False and bob.callResult.Code == 129
    carol = auth(c, "carol@contoso.com")
    assert carol.PfAuthUser_4Result is False and carol.callResult.Code == 133
    nobody = auth(c, "nobody@contoso.com")
    assert nobody.PfAuthUser_4Result is False and nobody.error.Code == 10
    five = auth(c, "alice@contoso.com", op="PfAuthUser_5", mode="phoneApp")
    assert five.PfAuthUser_5Result is True and five.callResult.Code == 21


def test_queries(sim):
    c = client(*sim[:2])
    assert "secure" in c.service.TestSecurity().lower()
    assert c.service.UserExists(username="alice@contoso.com").UserExistsResult is True
    settings = c.service.GetUserSettings_3(username="alice@contoso.com")
    assert settings.GetUserSettings_3Result is True
    assert settings.userSettings.FirstName == "Alice" and settings.userSettings.Mode == "phoneApp"
    assert (settings.userSettings.CountryCode, settings.userSettings.Phone) == ("1", "5550100001")
    # An alias is another name of the same user: the same phone (issue 24).
    alias = c.service.GetUserSettings_3(username="ASMITH@contoso.com")
    assert alias.GetUserSettings_3Result is True
    assert (alias.userSettings.EmailAddress, alias.userSettings.Phone) == ("alice@contoso.com", "5550100001")
    code = c.service.GenerateActivationCode(username="bob@contoso.com")
    assert code.GenerateActivationCodeResult is True and len(code.activationCode) == 9
