"""Signature checks against the real vectors from Slack's SDK and Discourse's spec."""

from __future__ import annotations

import json
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bot.platforms.discourse.inbound import sign, signature_ok
from bot.platforms.slack import inbound as slack_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_discourse_signature_matches_discourse_spec_vector() -> None:
    v = json.loads((FIXTURES / "signature_vector_discourse_spec.json").read_text())
    assert sign(v["secret"], v["body"].encode()) == v["signature"]
    assert signature_ok(v["secret"], v["body"].encode(), v["signature"])
    assert not signature_ok(v["secret"], v["body"].encode() + b" ", v["signature"])
    assert not signature_ok("another-secret-123", v["body"].encode(), v["signature"])
    assert not signature_ok(v["secret"], v["body"].encode(), None)


def test_slack_vector_verifies_with_the_sdk_the_bot_uses() -> None:
    v = json.loads((FIXTURES / "signature_vector_slack_sdk.json").read_text())
    body = (FIXTURES / "slash_command_signing_vector.form").read_text()
    assert body == v["body"]

    class FixedClock:
        def now(self) -> float:
            return float(v["timestamp"])

    verifier = SignatureVerifier(v["signing_secret"], clock=FixedClock())  # type: ignore[arg-type]
    assert verifier.is_valid(body, v["timestamp"], v["signature"])
    assert not verifier.is_valid(
        v["negative_cases"]["body_plus_dashes_is_invalid"], v["timestamp"], v["signature"]
    )
    # Without the fixed clock the 2018 timestamp is outside the 5-minute window.
    assert not SignatureVerifier(v["signing_secret"]).is_valid(body, v["timestamp"], v["signature"])


def test_the_bots_own_slack_check_accepts_the_sdk_vector_and_refuses_bad_headers() -> None:
    v = json.loads((FIXTURES / "signature_vector_slack_sdk.json").read_text())
    body = (FIXTURES / "slash_command_signing_vector.form").read_bytes()
    secret, ts, sig, now = v["signing_secret"], v["timestamp"], v["signature"], float(v["timestamp"])
    assert slack_in.verify(secret, body, str(ts), sig, now) is None
    assert slack_in.verify(secret, body + b"-", str(ts), sig, now) == "invalid X-Slack-Signature"
    assert slack_in.verify(secret, body, str(ts), sig, now + 301) == "stale X-Slack-Request-Timestamp"
    for bad_ts in ("abc", "", "1e9", f"{ts}.5", "9" * 400, "²" * 3, f" {ts}"):
        assert slack_in.verify(secret, body, bad_ts, sig, now) == "malformed X-Slack-Request-Timestamp"
    for bad_sig in ("", "v0=", sig.upper(), sig + "0", "v1=" + sig[3:], "v0=é" + sig[4:]):
        assert slack_in.verify(secret, body, str(ts), bad_sig, now) == "malformed X-Slack-Signature"
    assert slack_in.verify(secret, body, None, sig, now) is not None
    assert slack_in.verify("", body, str(ts), sig, now) is not None


def test_discourse_signatures_with_non_ascii_or_no_secret_are_refused() -> None:
    v = json.loads((FIXTURES / "signature_vector_discourse_spec.json").read_text())
    body = v["body"].encode()
    assert not signature_ok(v["secret"], body, "sha256=é" + v["signature"][8:])
    assert not signature_ok(v["secret"], body, "sha256=" + "ü" * 64)
    assert not signature_ok("", body, v["signature"])  # no secret, no way in
    assert signature_ok(v["secret"], body, f" {v['signature']} ")
