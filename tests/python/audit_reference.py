"""A verifier of MfaApproval's audit chain written from its definition alone (README,
"The audit trail's bytes"; docs/design.md), with the Python standard library only: what an
auditor would write. The tests run it beside the engine's own verifier (mfa_audit_verify
through ctypes) on files the engine wrote, and both must agree.

Usage: python3 audit_reference.py FILE [KEY]   (prints "valid N" or "bad SEQ WHY", exit 0/1)
"""
import hashlib
import hmac
import json
import sys

ZERO = "0" * 64
MAC_MEMBER = len(',"mac":"') + 64 + len('"')


def _unique(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _is_hash(s):
    return isinstance(s, str) and len(s) == 64 and all(c in "0123456789abcdef" for c in s)


def verify(data, key=None):
    """(True, records) for a valid chain, else (False, first bad sequence number, why)."""
    if not data.endswith(b"\n"):
        lines = data.split(b"\n")
        return False, len(lines) - 1, "the last line has no newline (truncated)"
    lines = data[:-1].split(b"\n")
    prev_hash = None
    for expected, line in enumerate(lines):
        try:
            record = json.loads(line.decode("utf-8"), object_pairs_hook=_unique)
        except ValueError as e:
            return False, expected, "not a JSON object with unique keys: %s" % e
        if not isinstance(record, dict) or type(record.get("seq")) is not int or not _is_hash(record.get("prev")):
            return False, expected, "no seq or prev"
        if not line.startswith(b'{"seq":%d,"prev":"' % record["seq"]):
            return False, expected, "the chain members are not first"
        if record["seq"] != expected:
            return False, expected, "seq %d where %d was expected" % (record["seq"], expected)
        if (expected == 0) != (record.get("type") == "header"):
            return False, expected, "the header is not (only) the first line"
        if key is not None:
            mac = record.get("mac")
            if not _is_hash(mac) or not line.endswith(b',"mac":"%s"}' % mac.encode()):
                return False, expected, "no MAC as the last member"
            covered = line[: len(line) - MAC_MEMBER - 1] + b"}"
            if not hmac.compare_digest(hmac.new(key, covered, hashlib.sha256).hexdigest(), mac):
                return False, expected, "the MAC does not verify"
        if record["prev"] != (ZERO if expected == 0 else prev_hash):
            return False, expected - 1, "record %d's hash is not the prev of record %d" % (expected - 1, expected)
        prev_hash = hashlib.sha256(line).hexdigest()
    return True, len(lines) - 1


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        result = verify(f.read(), sys.argv[2].encode() if len(sys.argv) > 2 else None)
    print("valid %d" % result[1] if result[0] else "bad %d %s" % (result[1], result[2]))
    sys.exit(0 if result[0] else 1)
