"""The typed messages of applications and nominations and their Slack renderers: each message
round-trips through the outbox's JSON, a row queued as a plain dict (before these types, or by a
feature that still writes dicts) draws the same, and the two review cards share one shape."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.program.applications.messages import ApplicationReview, Rejected, Step, Welcome
from bot.program.messages import Message, decode, encode, slack_message
from bot.program.nominations.messages import NominationInvite, NominationOutcome, NominationReview
from handlers.slack.applications import views as application_views
from handlers.slack.blocks import render
from handlers.slack.nominations import views as nomination_views
from handlers.slack.onboarding.views import ACK_GUIDELINES
from handlers.slack.renderers import slack_renderers
from storage.enums import NominationStatus, Platform
from tests.e2e.lifecycle import all_text

ANSWERS = {
    "name": "Zoë <Admin>",
    "forum_username": "zoe",
    "location": "Lisbon",
    "timezone": "Europe/Lisbon",
    "expertise": "Kubernetes",
    "links": "",
    "motivation": "Meetups & talks",
}
MESSAGES: list[Message] = [
    ApplicationReview(application_id=3, applicant="U1", **ANSWERS),
    ApplicationReview(application_id=3, **ANSWERS, decision="rejected", decided_by="UMOD", reason="No links"),
    ApplicationReview(
        application_id=4, applicant="U1", **ANSWERS, renewal=True, term_end="2027-01-01T00:00:00+00:00"
    ),
    Welcome(
        name="Zoë",
        program="P",
        term_end="2028-11-23T10:00:00+00:00",
        guidelines_url="https://example.org/g",
        ambassador_channel="CAMB",
        steps=(Step("guidelines", "Read the guidelines", False, "button"),),
    ),
    Rejected(name="Zoë", reason="Please link two talks.", program="P"),
    NominationReview(
        nomination_id=5, nominee="U2", nominator="U3", reason="Runs meetups", created_at="2026-11-23"
    ),
    NominationReview(5, "U2", "U3", "Runs meetups", decision=NominationStatus.INVITED, decided_by="UMOD"),
    NominationInvite(5, "U3", "Runs meetups", "P"),
    NominationOutcome("U2", NominationStatus.DECLINED, "P"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_a_message_round_trips_and_draws_as_its_dict_row(message: Message) -> None:
    data = encode(message)
    assert decode(type(message), data) == message
    assert render(message.kind, data) == render(message.kind, dict(data))


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_application_card_offers_a_decision_until_it_is_decided() -> None:
    text, blocks = render("application_review", encode(MESSAGES[0]))
    assert text == "New ambassador application #3 from <@U1>"
    assert blocks[0]["type"] == "header" and "Zoë &lt;Admin&gt;" in str(blocks[2])
    assert "Meetups &amp; talks" in str(blocks) and "Links to your contributions" not in str(blocks)
    assert buttons(blocks) == [application_views.APPROVE, application_views.REJECT]
    assert blocks[-1]["block_id"] == "review_3" and blocks[-1]["elements"][0]["value"] == "3"
    text, blocks = render("application_review", encode(MESSAGES[1]))
    assert text == "New ambassador application #3 from Zoë &lt;Admin&gt; — rejected by <@UMOD>"
    assert buttons(blocks) == [] and "❌ Rejected by <@UMOD>" in str(blocks) and "No links" in str(blocks)


def test_a_row_that_only_says_its_decision_offers_no_buttons() -> None:
    # Rows queued before `can_decide` existed.
    old = {"application_id": 3, "applicant": "U1", **ANSWERS, "decision": "approved", "decided_by": "UMOD"}
    text, blocks = render("application_review", old)
    assert text.endswith(" — approved by <@UMOD>") and buttons(blocks) == []
    old_nomination = {
        "nomination_id": 5,
        "nominee": "U2",
        "nominator": "U3",
        "decision": "declined",
        "decided_by": "UMOD",
    }
    assert buttons(render("nomination_review", old_nomination)[1]) == []
    assert decode(ApplicationReview, {**old, "kind": "renewal"}).can_decide is False


def test_the_nomination_card_has_the_same_shape() -> None:
    text, blocks = render("nomination_review", encode(MESSAGES[5]))
    assert text == "New nomination #5: <@U3> nominates <@U2>"
    assert [b["type"] for b in blocks][:2] == ["header", "section"]
    assert buttons(blocks) == [nomination_views.NOMINATION_INVITE, nomination_views.NOMINATION_DECLINE]
    assert blocks[-1]["block_id"] == "nomination_5"
    text, blocks = render("nomination_review", encode(MESSAGES[6]))
    assert text.endswith(" — invited to apply by <@umod>")  # the note, lowercased, as before
    assert buttons(blocks) == [] and "✅ Invited to apply by <@UMOD>" in str(blocks)


def test_the_welcome_offers_the_guidelines_button_while_that_step_is_open() -> None:
    text, blocks = render("welcome", encode(MESSAGES[3]))
    assert text == "Welcome to P, Zoë! Your application was approved; your term runs until 2028-11-23."
    assert buttons(blocks) == [ACK_GUIDELINES]
    done = Welcome(steps=(Step("guidelines", "Read", True, "button"),))
    assert buttons(render("welcome", encode(done))[1]) == []
    assert "the ambassador program" in render("welcome", encode(done))[0]


def test_the_invitation_and_the_outcome() -> None:
    text, blocks = render("nomination_invite", encode(MESSAGES[7]))
    assert text.startswith("<@U3> nominated you to become one of the P")
    assert (
        buttons(blocks) == [nomination_views.NOMINATION_APPLY] and blocks[-1]["elements"][0]["value"] == "5"
    )
    assert "decided not to invite <@U2>" in render("nomination_outcome", encode(MESSAGES[8]))[0]
    invited = NominationOutcome("U2", NominationStatus.INVITED)
    assert "invited <@U2> to apply" in render("nomination_outcome", encode(invited))[0]


def test_a_decision_refers_to_its_card_neutrally() -> None:
    ref = slack_message("CMOD", "1700000000.000100")
    assert ref is not None and (ref.platform, ref.channel, ref.id) == (
        Platform.SLACK,
        "CMOD",
        "1700000000.000100",
    )
    assert slack_message(None, None) is None and slack_message("CMOD", None) is None


def test_each_message_kind_is_registered_as_its_type() -> None:
    renderers = slack_renderers().messages
    for cls in {type(m) for m in MESSAGES}:
        assert renderers[cls.kind].message_type is cls  # type: ignore[attr-defined]


def test_a_renewal_card_reads_as_a_renewal_with_its_own_fields() -> None:
    renewal = ApplicationReview(
        application_id=4,
        applicant="U1",
        name="Zoë",
        forum_username="zoe",
        timezone="Europe/Lisbon",
        motivation="More meetups in Lisbon",
        renewal=True,
        term_end="2027-01-01T00:00:00+00:00",
    )
    text, blocks = render("application_review", encode(renewal))
    assert text == "Renewal #4 from <@U1>"
    assert blocks[0]["text"]["text"] == "Renewal #4"
    shown = all_text({"text": text, "blocks": blocks})
    assert "*Current term ends*\n2027-01-01" in shown and "More meetups in Lisbon" in shown
    assert "Plans" in shown and "Location" not in shown and "application" not in shown.lower()
    assert buttons(blocks) == [application_views.APPROVE, application_views.REJECT]
    decided = replace(renewal, decision="approved", decided_by="UMOD", can_decide=False)
    assert render("application_review", encode(decided))[0] == "Renewal #4 from <@U1> — approved by <@UMOD>"
