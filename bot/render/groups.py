"""Jinja2 for the group workflow's recognition message (the port is
bot.program.groups.rendering.TemplateRenderer): sandboxed, no HTML escaping, undefined names are
errors (see bot.config.groups.template_environment, which also checks the templates at startup)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.config.groups import template_environment
from bot.program.groups.rendering import TemplateFailed


class JinjaRenderer:
    def __init__(self) -> None:
        self._env: Any = None  # made (and jinja2 imported) at the first recognition message

    def render(self, template: str, values: Mapping[str, str]) -> str:
        import jinja2

        if self._env is None:
            self._env = template_environment()
        try:
            return str(self._env.from_string(template).render(values))
        except jinja2.TemplateError as err:
            raise TemplateFailed(str(err)) from None
