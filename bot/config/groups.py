"""The `[groups]` settings: the user group workflow (screening rules, review, handover checklist,
recognition message), and the sandboxed Jinja2 environment its recognition template is read with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, slack_user_ids, unique_keys

Completer = Literal["ambassador", "mentor", "community_manager", "moderator", "organiser"]


class HandoverStep(Section):
    """One step of the official group handover. `completes` names who may tick it:
    "ambassador" (any active ambassador), "mentor" (the group's mentor), "community_manager",
    "moderator", "organiser" (one of the group's organisers). `needs = "link"` asks for a link
    (or a Slack file link) when the step is ticked, e.g. the logo."""

    key: str
    title: str
    completes: tuple[Completer, ...] = ("community_manager",)
    needs: Literal["", "link"] = ""

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not v or not v.replace("_", "").isalnum() or len(v) > 40:
            raise ValueError("must be letters, digits and underscores (at most 40)")
        return v

    @field_validator("completes")
    @classmethod
    def _someone(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one role that may complete the step")
        return v


DEFAULT_HANDOVER = (
    HandoverStep(
        key="requirements_ambassador",
        title="Requirements confirmed by an ambassador",
        completes=("ambassador",),
    ),
    HandoverStep(
        key="requirements_manager",
        title="Requirements confirmed by the community manager",
        completes=("community_manager",),
    ),
    HandoverStep(key="logo_requested", title="Logo requested", completes=("community_manager", "mentor")),
    HandoverStep(
        key="logo_received",
        title="Logo received (a file or link)",
        completes=("community_manager", "mentor", "organiser"),
        needs="link",
    ),
    HandoverStep(
        key="portal_updated", title="Portal and forum updated", completes=("community_manager", "moderator")
    ),
    HandoverStep(
        key="logo_pack_sent", title="Logo pack sent to the leaders", completes=("community_manager",)
    ),
    HandoverStep(
        key="address_asked", title="Postal address asked for", completes=("community_manager", "mentor")
    ),
    HandoverStep(key="swag_mailed", title="Swag kit mailed", completes=("community_manager",)),
)

DEFAULT_RECOGNITION = (
    "Congratulations, {{ leader }}! {{ group }} is now an official {{ community }} user group. "
    "Thank you for bringing people together{% if city %} in {{ city }}{% endif %}. "
    "{% if mentor %}{{ mentor }} stays your mentor among the ambassadors. {% endif %}"
    "We can't wait to see your first meetup!"
)

DEFAULT_BLOCKLIST = (
    "casino",
    "betting",
    "viagra",
    "cialis",
    "escort",
    "payday loan",
    "crypto giveaway",
    "forex signals",
    "seo services",
    "buy followers",
    "weight loss",
)

DEFAULT_GENERAL_IT = (
    "general IT",
    "IT professionals",
    "tech meetup",
    "technology meetup",
    "developers meetup",
    "programming",
    "software developers",
    "web development",
    "startups",
)


def template_environment() -> SandboxedEnvironment:
    """Jinja2 for the recognition message: sandboxed (the template comes from a config file, the
    values from users), no HTML escaping (the output is chat text), undefined names are errors.
    jinja2 is imported here, when first needed, not with the settings (about 9 MB of memory)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)


if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

DEFAULT_RECOGNITION_TITLE = "{{ group }} is now an official user group"
_KNOWN_GOOD_TEMPLATES = frozenset({DEFAULT_RECOGNITION, DEFAULT_RECOGNITION_TITLE})


class GroupsSettings(Section):
    # The community's name, first word of every group title: "<community> <City/Region> {pet name}".
    community: str = Field(default="OpenStack", min_length=1, max_length=60)
    # Where requests are reviewed (by ambassadors and moderators); default slack.moderator_channel.
    review_channel: str = ""
    # Where overlapping requests are sent for the ambassadors to resolve; default
    # slack.ambassador_channel, else the review channel.
    conflict_channel: str = ""
    # Linked from every rejection ("what a user group is").
    what_is_a_user_group_url: str = ""
    # Slack user ids of the community managers (handover steps); empty: the moderators.
    community_managers: tuple[str, ...] = ()
    # Screening rules.
    blocklist: tuple[str, ...] = DEFAULT_BLOCKLIST
    general_it_terms: tuple[str, ...] = DEFAULT_GENERAL_IT
    topic_terms: tuple[str, ...] = ()  # words that show a group is about the community; default: community
    require_location: bool = True
    max_links: int = Field(default=8, ge=0, le=1000)
    auto_reject_spam: bool = True
    # Overlap: two groups within this distance (when both have coordinates) overlap.
    overlap_km: float = Field(default=50.0, ge=0, le=20000)
    # `/ambassador groups near <place>`: how far around the place to look.
    near_km: float = Field(default=100.0, ge=0, le=20000)
    # Approve automatically when no ambassador objected within this many hours (0: never).
    auto_approve_hours: float = Field(default=0.0, ge=0, le=24 * 90)
    handover: tuple[HandoverStep, ...] = DEFAULT_HANDOVER
    # Jinja2. Names: group, leader, community, city, region, country, mentor, program.
    recognition_template: str = DEFAULT_RECOGNITION
    recognition_title: str = DEFAULT_RECOGNITION_TITLE

    _ids = field_validator("community_managers")(slack_user_ids)

    @field_validator("what_is_a_user_group_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v

    @field_validator("recognition_template", "recognition_title")
    @classmethod
    def _template(cls, v: str) -> str:
        if v in _KNOWN_GOOD_TEMPLATES:
            return v  # the defaults (tests/bot/test_config.py parses them), so jinja2 is not loaded for them
        import jinja2

        try:
            template_environment().parse(v)
        except jinja2.TemplateSyntaxError as err:
            raise ValueError(f"not a valid Jinja2 template (line {err.lineno}: {err.message})") from None
        return v

    @model_validator(mode="after")
    def _steps(self) -> GroupsSettings:
        keys = [s.key for s in self.handover]
        if not keys:
            raise ValueError("handover needs at least one step")
        unique_keys("handover step", self.handover)
        return self
