"""One-time link codes and forum usernames, with no I/O.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I), shown as `ABCD-EFGH`;
what a person types back is normalised (case, dashes and spaces don't matter). Only a hash of the
code is stored, salted with the person and the forum account it links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.program.applications import FORUM_USERNAME
from bot.program.errors import InvalidInput

CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
CODES_PER_HOUR = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(person_id: int, username: str, code: str) -> str:
    return hashlib.sha256(f"{person_id}:{username.lower()}:{normalise_code(code)}".encode()).hexdigest()


def check_username(username: str) -> str:
    name = username.strip().lstrip("@")
    if not FORUM_USERNAME.match(name):
        raise InvalidInput(
            "That doesn't look like a forum username (letters, digits, _ . and -, 2 to 60 characters)."
        )
    return name
