"""Link codes: readable, forgiving about how they are typed, stored only as a salted hash."""

from __future__ import annotations

import pytest

from bot.program.errors import InvalidInput
from bot.program.linking.codes import CODE_ALPHABET, check_username, code_hash, new_code, normalise_code


def test_codes_avoid_lookalikes_and_are_random() -> None:
    made = {new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET) and not set("01IO") & set(code)


def test_hash_ignores_case_spaces_and_dashes_but_binds_person_and_account() -> None:
    h = code_hash(1, "Alice", "ABCD-EFGH")
    assert h == code_hash(1, "alice", "abcd efgh") == code_hash(1, "alice", " abcdefgh ")
    assert h != code_hash(2, "alice", "ABCD-EFGH") and h != code_hash(1, "bob", "ABCD-EFGH")
    assert "ABCD" not in h
    assert normalise_code("ab-cd ef") == "ABCDEF"


def test_usernames_are_checked() -> None:
    assert check_username("@jane_doe") == "jane_doe"
    for bad in ("", "a", "ünï", "two words", "x" * 61):
        with pytest.raises(InvalidInput):
            check_username(bad)
