"""The port through which the group workflow renders the configured recognition templates.

The program layer does not know the template language: it hands the configured template and the
(already escaped) values to a `TemplateRenderer`, which the runtime provides (bot.render.groups,
Jinja2 in a sandbox). A template that does not render raises `TemplateFailed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class TemplateFailed(Exception):
    """The template does not render; the message says why (shown to the person who acted)."""


class TemplateRenderer(Protocol):
    def render(self, template: str, values: Mapping[str, str]) -> str: ...


class NoRenderer:
    """For a GroupService built without one (the CLI's exports): rendering is refused."""

    def render(self, template: str, values: Mapping[str, str]) -> str:
        raise TemplateFailed("no template renderer is configured")
