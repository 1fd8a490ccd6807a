"""The site: ``GET /site/basic-info.json`` (app/controllers/site_controller.rb#basic_info)."""

from __future__ import annotations

import re

from bot.sandbox.discourse.serializers import Serializers
from bot.sandbox.discourse.wire import JSONDict


class SiteRoutes(Serializers):
    def _basic_info(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /site/basic-info.json (SiteController#basic_info): public, no key needed; the
        site's title, logos and default ``locale``."""
        return {
            "logo_url": f"{self.base_url}/images/discourse-logo-sketch.png",
            "logo_small_url": f"{self.base_url}/images/discourse-logo-sketch-small.png",
            "apple_touch_icon_url": f"{self.base_url}/images/default-apple-touch-icon.png",
            "favicon_url": f"{self.base_url}/images/default-favicon.ico",
            "title": self.title,
            "description": "A local stand-in for a Discourse forum",
            "header_primary_color": "333333",
            "header_background_color": "ffffff",
            "login_required": False,
            "locale": self.locale,
            "include_in_discourse_discover": False,
            "mobile_logo_url": "",
        }
