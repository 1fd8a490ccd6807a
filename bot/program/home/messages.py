"""The App Home tab as a typed message (`Home`, kind "home"): everything the tab shows, built by
`bot.program.home.snapshot` and drawn by handlers.slack.home.views. The fields are the keys of the
snapshot dict rows kept before it was typed, so those rows still decode; each part the tab shows
(the application, the checklist, the review queue, the requests, the upcoming events) is a nested
frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from bot.program.messages import Message
from storage.enums import AmbassadorStatus, ApplicationStatus


@dataclass(frozen=True)
class OwnApplication:
    """The person's latest application."""

    id: int
    status: ApplicationStatus
    submitted_at: datetime | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class HomeStep:
    """One step of the person's onboarding checklist (`completes`: button, event or moderator)."""

    key: str
    title: str
    done: bool
    completes: str


@dataclass(frozen=True)
class PendingApplication:
    id: int
    applicant: str | None
    name: str = ""
    location: str = ""
    expertise: str = ""
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class PendingNomination:
    id: int
    nominee: str  # the Slack id; "" for someone nominated by their forum account
    nominator: str
    reason: str = ""
    created_at: datetime | None = None
    nominee_forum: str = ""


@dataclass(frozen=True)
class ReviewQueue:
    """A moderator's review queue: the first few items of each kind, and how many there are."""

    applications: tuple[PendingApplication, ...] = ()
    applications_total: int = 0
    nominations: tuple[PendingNomination, ...] = ()
    nominations_total: int = 0


@dataclass(frozen=True)
class RequestItem:
    """An open request (bot.program.requests.home), the person's own or in the moderators' queue;
    the fields as that module gives them (`created_at` an ISO string, drawn by the requests views)."""

    id: int
    reference: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    summary: str
    requester: str
    amount_text: str
    created_at: str


@dataclass(frozen=True)
class RequestQueue:
    items: tuple[RequestItem, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class HomeEvent:
    """An upcoming occurrence on the tab, with the viewer's own RSVP (None: not answered yet);
    `occurrence` is its key (bot.program.events.series.occurrence_key), for the RSVP buttons."""

    series_id: int
    title: str
    start: datetime
    occurrence: str
    timezone: str = ""
    link: str = ""
    status: str = "scheduled"  # scheduled | cancelled
    answer: str | None = None


@dataclass(frozen=True)
class Home(Message):
    """A person's Home tab. `queue` and `request_queue` are there for moderators only."""

    kind: ClassVar[Literal["home"]] = "home"
    user: str
    program: str = ""
    command: str = "/ambassador"
    guidelines_url: str = ""
    known: bool = False
    ambassador_status: AmbassadorStatus | None = None
    term_start: datetime | None = None
    term_end: datetime | None = None
    application: OwnApplication | None = None
    forum_username: str | None = None
    forum_linked: bool = False
    profile_saved: bool = False
    steps: tuple[HomeStep, ...] = ()
    is_moderator: bool = False
    queue: ReviewQueue | None = None
    requests: tuple[RequestItem, ...] = ()
    request_queue: RequestQueue | None = None
    events: tuple[HomeEvent, ...] = ()
