"""Nominations: anyone suggests someone; moderators invite them to apply, or decline.

The package: `messages` (the review card, the invitation and the outcome DMs) and
`service.NominationService` (nominate, then one decision step for invite and decline).
"""

from __future__ import annotations

from bot.program.nominations.service import NominationResult, NominationService

__all__ = ["NominationResult", "NominationService"]
