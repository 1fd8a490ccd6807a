"""/metrics labels requests by route: the public pages are routes of their own, and a path
nobody knows is "other", so a visitor cannot grow the label set (and the memory) at will."""

from __future__ import annotations

import pytest

from bot.metrics import route_label


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/program", "/program"),
        ("/program/ambassadors", "/program/ambassadors"),
        ("/program/groups", "/program/groups"),
        ("/program/events", "/program/events"),
        ("/program/static/style.css", "/program/static/{file}"),
        ("/program/static/a-file-that-does-not-exist-0123456789", "/program/static/{file}"),
        ("/program/nothing-here", "other"),
        ("/program/ambassadors/../../etc", "other"),
        ("/calendar/abc123.ics", "/calendar/{token}.ics"),
        ("/slack/events", "/slack/events"),
        ("/wp-login.php", "other"),
    ],
)
def test_each_public_page_is_its_own_route_and_anything_else_is_other(path: str, label: str) -> None:
    assert route_label(path) == label
