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


def calls_of(source: str, attribute: str) -> int:
    """How many calls `<anything>.<attribute>(...)` the source makes."""
    return sum(
        1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    )


def files_calling(packages: tuple[str, ...], attribute: str) -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for package in packages
        for path in (ROOT / package.replace(".", "/")).rglob("*.py")
        if calls_of(path.read_text(encoding="utf-8"), attribute)
    )


def test_roles_are_decided_only_in_the_permission_guard() -> None:
    """Who may do what is decided in bot/program/permissions.py (roles.py defines the check)."""
    callers = files_calling(("bot", "handlers"), "is_moderator")
    assert callers == ["bot/program/permissions.py"]
    assert calls_of("async def f(r):\n    return await r.is_moderator('U1')\n", "is_moderator") == 1


def test_the_service_layer_never_commits_in_the_middle_of_a_unit_of_work() -> None:
    """A unit of work commits when its block ends; a refusal is kept by the guard's own unit of
    work, not by committing the caller's."""
    assert files_calling(("bot.program",), "commit") == []
    assert calls_of("async def f(uow):\n    await uow.session.commit()\n", "commit") == 1


def test_the_service_layer_renders_no_templates_itself() -> None:
    """Template languages live at the edge (bot.render), behind the program layer's ports."""
    assert offending("bot.program", ("jinja2",)) == []
    assert offending("bot.render", ("jinja2",))  # so an import of jinja2 would be caught
