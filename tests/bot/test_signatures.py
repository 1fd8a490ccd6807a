"""Signature checks against the real vectors from Slack's SDK and Discourse's spec."""

from __future__ import annotations

import json
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bot.discourse import sign, signature_ok

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
