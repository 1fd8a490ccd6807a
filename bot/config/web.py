"""The `[web]` section: the program's public pages under /program (bot/web)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from bot.config.base import Section, timezone_name


class WebSettings(Section):
    # Serve /program, /program/ambassadors, /program/groups and /program/events. They only ever
    # show people who opted in from their profile form, so they are on unless turned off.
    public_pages: bool = True
    # What /program says the program is (plain text; paragraphs separated by blank lines).
    about: str = Field(default="", max_length=4000)
    # Where people apply: a Slack invitation or channel link (the forum link is discourse.url).
    apply_url: str = ""
    # The timezone the pages' times are written in before the visitor's browser rewrites them.
    timezone: str = "UTC"

    @field_validator("apply_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if v and (urlsplit(v).scheme not in ("http", "https") or not urlsplit(v).netloc):
            raise ValueError("must be an http or https URL")
        return v

    _tz = field_validator("timezone")(timezone_name)
