"""Errors the service layer raises; each carries a message fit to show a person."""


class ProgramError(Exception):
    """Base: the action was refused; nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ProgramError):
    """The actor may not do this (e.g. not a moderator)."""


class NotFound(ProgramError):
    """The thing referred to does not exist."""


class Conflict(ProgramError):
    """The state has moved on (already decided, already applied, ...)."""


class InvalidInput(ProgramError):
    """Input failed validation. `fields` maps a form field to what is wrong with it."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}
