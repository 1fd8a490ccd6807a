"""The directory topic's Markdown (bot/program/public/forum_topic.py): what a forum reader sees of
the listed people, and nothing they did not choose; user text stays text; the post fits the forum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.program.public.forum_topic import MAX_POST_CHARS, DirectoryPost, topic_markdown, window_of

URL = "https://bot.example.org/program/ambassadors"


@dataclass(frozen=True)
class Shown:
    name: str | None = None
    location: str | None = None
    expertise: str | None = None
    helps_with: str | None = None
    contact: str | None = None
    home_group: str | None = None


def test_each_person_shows_only_the_fields_they_chose() -> None:
    raw = topic_markdown(
        [
            Shown(
                "Ana Álvarez", "Lisbon, Portugal", "Kubernetes", "first talks", "@ana on the forum", "Lisbon"
            ),
            Shown(None, None, "Rust"),
        ],
        program="Community Ambassadors",
        directory_url=URL,
    )
    assert raw.startswith("# Community Ambassadors: ambassadors\n")
    assert "2 ambassadors are happy to help" in raw and URL in raw
    ana, anonymous = raw.split("\n## ")[1:]
    assert ana.splitlines()[0] == "Ana Álvarez"
    assert "- **Location:** Lisbon, Portugal" in ana and "- **Home user group:** Lisbon" in ana
    assert "- **How to reach:** \\@ana on the forum" in ana  # a mention would notify at every edit
    assert anonymous.splitlines()[0] == "An ambassador"
    assert anonymous.count("- **") == 1 and "- **Expertise:** Rust" in anonymous


def test_hostile_text_stays_text() -> None:
    raw = topic_markdown(
        [
            Shown(
                "<script>alert(1)</script>\n# Owned",
                expertise="[click](https://evil.example) **now** ~~x~~ | a",
            )
        ],
        program="P",
    )
    body = raw.split("\n## ")[1]
    assert "<script>" not in raw and "\\<script\\>" in body
    assert "\n# Owned" not in raw  # a newline cannot start a heading
    assert "\\[click\\](https://evil.example) \\*\\*now\\*\\* \\~\\~x\\~\\~ \\| a" in body


def test_a_directory_too_long_for_one_post_points_to_the_page() -> None:
    people = [Shown(f"Person {i}", "Somewhere, Earth", "A" * 200, "B" * 200) for i in range(400)]
    raw = topic_markdown(people, program="P", directory_url=URL)
    assert len(raw) <= MAX_POST_CHARS
    shown = raw.count("\n## ")
    assert 0 < shown < 400
    assert raw.rstrip().endswith(f"…and {400 - shown} more ambassadors in the full directory: {URL}.")
    without_pages = topic_markdown(people, program="P")
    assert len(without_pages) <= MAX_POST_CHARS and without_pages.rstrip().endswith("too many for one post.")
    small = topic_markdown(people[:3], program="P", directory_url=URL, limit=MAX_POST_CHARS)
    assert "more ambassador" not in small and small.count("\n## ") == 3


def test_nobody_listed_is_still_a_valid_post() -> None:
    raw = topic_markdown([], program="P")
    assert "No ambassador is listed yet." in raw and len(raw) > 20  # Discourse's min_post_length


def test_the_hash_ignores_only_surrounding_whitespace() -> None:
    assert DirectoryPost("# A\n").sha256 == DirectoryPost("# A").sha256 != DirectoryPost("# B").sha256


def test_windows_are_the_same_for_every_replica() -> None:
    first, ends = window_of(datetime(2026, 12, 2, 10, 1, 5, tzinfo=UTC), 300)
    second, _ = window_of(datetime(2026, 12, 2, 10, 4, 59, tzinfo=UTC), 300)
    third, _ = window_of(datetime(2026, 12, 2, 10, 5, 0, tzinfo=UTC), 300)
    assert first == second == third - 1
    assert ends == datetime(2026, 12, 2, 10, 5, tzinfo=UTC)
