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


@pytest.mark.parametrize("package", ["bot", "bench"])
def test_nothing_outside_the_tests_imports_them(package: str) -> None:
    """The process harness that tests and benchmarks share lives in bot/sandbox/harness, so
    neither the package nor the benchmarks depend on the test suite."""
    assert offending(package, ("tests",)) == []


def test_the_tests_import_check_sees_a_violation() -> None:
    names: set[str] = set().union(*imports_of("bench").values())
    assert any(n.startswith("bot.sandbox.harness") for n in names)
    assert offending("bench", ("bot.sandbox.harness",))  # so an import of tests would be caught too
    assert offending("tests.e2e", ("tests",))  # the test suite's own imports of itself are seen
