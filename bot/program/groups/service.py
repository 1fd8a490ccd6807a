"""`GroupService`: the one object the handlers and the runtime know, made of the workflow's parts.

Each part is a module of this package (intake, review, objections, organisers, handover,
reading); they share the state and helpers of `GroupBase`.
"""

from __future__ import annotations

from bot.program.groups.handover import Handover
from bot.program.groups.intake import Intake
from bot.program.groups.objections import Objections
from bot.program.groups.organisers import Organisers
from bot.program.groups.reading import Reading
from bot.program.groups.retiring import Retiring
from bot.program.groups.review import Review


class GroupService(Intake, Review, Objections, Organisers, Handover, Reading, Retiring):
    """User groups (the OpenStack workflow): request → screening → review → mentor → handover."""
