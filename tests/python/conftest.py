"""The simulator as a subprocess, shared by the third-party client tests."""
import os
import subprocess
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="module")
def sim():
    """Starts mfa-sim (MFA_SIM, or the debug build) and yields its URL, CA file and lines."""
    binary = os.environ.get("MFA_SIM", os.path.join(ROOT, "target", "debug", "mfa-sim"))
    tmp = tempfile.mkdtemp()
    cert = os.path.join(tmp, "sim.pem")
    proc = subprocess.Popen(
        [binary, "--no-response-after", "1", "--write-cert", cert, "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    url = proc.stdout.readline().strip()
    lines = []
    while not lines or lines[-1] != "ready":
        line = proc.stdout.readline()
        assert line, "the simulator exited before 'ready': %r" % lines
        lines.append(line.strip())
    assert url.startswith("https://127.0.0.1:"), url
    yield url, cert, lines
    proc.stdin.close()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def privacyidea():
    """A real privacyIDEA 3.14 with scripted phones (tests/python/privacyidea_server.py),
    started once per session."""
    import sys
    try:
        import privacyidea  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true" and sys.platform.startswith("linux"):
            raise
        pytest.skip("privacyIDEA is not installed (requirements.txt installs it on Linux)")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from privacyidea_server import PrivacyIdeaServer
    server = PrivacyIdeaServer()
    try:
        server.start()
    except BaseException:
        print(server.log_tail())
        server.stop()
        raise
    yield server
    server.stop()
