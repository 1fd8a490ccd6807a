"""The import direction of DESIGN.md: handlers → bot.program → storage, and the service layer
never touches a platform library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBS = ("slack_bolt", "slack_sdk", "pydiscourse", "starlette", "apscheduler", "uvicorn", "requests")


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{file} imports {name}"
        for file, names in imports_of(package).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "bot.program",
            (*PLATFORM_LIBS, "handlers", "bot.platforms", "bot.server", "bot.slack", "bot.runtime"),
        ),
        ("storage", ("bot", "handlers", *PLATFORM_LIBS)),
        ("handlers", ("storage", "bot.platforms", "bot.runtime", "pydiscourse", "apscheduler")),
    ],
)
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert offending(package, forbidden) == []


def test_the_check_itself_sees_imports() -> None:
    names: set[str] = set().union(*imports_of("handlers").values())
    assert any(n.startswith("bot.program.") for n in names)
    assert offending("handlers", ("bot.program",))  # so an offending import would be caught


# -- data access only in storage, charts drawn at the edge (issue 15, point 4) ------------------------

PROGRAM_FORBIDDEN_LIBS = ("sqlalchemy", "matplotlib")
# Modules another helper of issue 15 restructures (permission checks that commit mid unit of work,
# a flush in a group transition): they still reach `uow.session` until that lands. Remove each
# name as its module is fixed; nothing else in bot/program may touch the session.
SESSION_ALLOWED = frozenset(
    {
        "bot/program/applications.py",  # refusal audit commits (-> permissions.require)
        "bot/program/badges.py",  # refusal audit commit (-> permissions.require)
        "bot/program/events.py",  # refusal audit commit (-> permissions.require)
        "bot/program/groups.py",  # refusal audit commit and a flush (groups split)
    }
)


def session_uses(package: str) -> list[str]:
    """`<anything>.session` attribute reads, as "file:line" (the unit of work's raw session)."""
    found: list[str] = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "session":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_program_imports_no_sqlalchemy_or_matplotlib() -> None:
    assert offending("bot.program", PROGRAM_FORBIDDEN_LIBS) == []


def test_the_library_check_sees_imports() -> None:
    assert offending("storage", ("sqlalchemy",))  # storage does import it, so a violation shows
    assert offending("bot.render", ("matplotlib",))  # even an import inside a function is seen


def test_program_never_reads_the_session() -> None:
    assert [use for use in session_uses("bot.program") if use.split(":")[0] not in SESSION_ALLOWED] == []


def test_the_session_check_sees_uses() -> None:
    assert session_uses("storage")  # uow.py opens it: the check finds such reads
    assert {use.split(":")[0] for use in session_uses("bot.program")} <= SESSION_ALLOWED
