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


# -- handlers/slack: one shape (features side by side, listener bodies from kit.py) ---------------

SLACK_HANDLERS = ROOT / "handlers" / "slack"
# The cross-cutting modules and packages that sit at handlers/slack/ top level; everything else
# lives in a feature package.
CROSS_CUTTING = {
    "__init__.py",
    "blocks.py",
    "command.py",
    "context.py",
    "dedupe.py",
    "envelope.py",
    "events_fallback.py",
    "inbound.py",
    "kit.py",
    "renderers.py",
    "text.py",
    "subcommands",
}
FEATURES = {
    "applications",
    "audit",
    "directory",
    "events",
    "groups",
    "home",
    "linking",
    "nominations",
    "onboarding",
    "reports",
    "requests",
    "terms",
}
# Where a listener may ack and map ProgramError itself: the factories, and the one slash command.
OWN_BODIES = {"kit.py", "command.py"}
PROGRAM_ERRORS = {"ProgramError", "InvalidInput"}


def copies_listener_body(source: str) -> bool:
    """True when a module both calls ack() and catches ProgramError / InvalidInput: the
    ack → call → error mapping body that `kit.on_button` / `kit.on_submit` write once."""
    tree = ast.parse(source)
    acks = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "ack"
        for n in ast.walk(tree)
    )
    caught: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ExceptHandler) and n.type is not None:
            kinds = n.type.elts if isinstance(n.type, ast.Tuple) else [n.type]
            caught.update(k.id if isinstance(k, ast.Name) else getattr(k, "attr", "") for k in kinds)
    return acks and bool(caught & PROGRAM_ERRORS)


def copied_listener_bodies(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if str(path.relative_to(root)) not in OWN_BODIES
        and copies_listener_body(path.read_text(encoding="utf-8"))
    )


def test_listener_bodies_come_from_the_kit_factories() -> None:
    assert copied_listener_bodies(SLACK_HANDLERS) == []


def test_the_listener_body_check_catches_a_copy() -> None:
    copy = (
        "async def on_click(ack, context):\n"
        "    await ack()\n"
        "    try:\n"
        "        await call()\n"
        "    except ProgramError as err:\n"
        "        await tell(err.message)\n"
    )
    assert copies_listener_body(copy)
    assert copies_listener_body(copy.replace("except ProgramError", "except (InvalidInput, ProgramError)"))
    assert not copies_listener_body("async def on_click(ack):\n    await ack()\n")
    assert copies_listener_body((SLACK_HANDLERS / "kit.py").read_text(encoding="utf-8"))


def misplaced_at_top(root: Path) -> list[str]:
    """Entries at handlers/slack/ top level that are neither cross-cutting nor a feature package,
    and feature packages without a views module or (when they have listeners) a register(app)."""
    out: list[str] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "__pycache__")) or entry.name in CROSS_CUTTING:
            continue
        if not entry.is_dir() or entry.name not in FEATURES:
            out.append(entry.name)
            continue
        modules = {p.name for p in entry.glob("*.py")}
        if "views.py" not in modules:
            out.append(f"{entry.name}/ has no views.py")
        listeners = modules - {"__init__.py", "views.py"}
        init = (entry / "__init__.py").read_text(encoding="utf-8") if "__init__.py" in modules else ""
        if listeners and "def register(app: AsyncApp)" not in init:
            out.append(f"{entry.name}/__init__.py has no register(app)")
    return out


def test_handlers_slack_top_level_holds_only_cross_cutting_modules_and_features() -> None:
    assert misplaced_at_top(SLACK_HANDLERS) == []


def test_the_top_level_check_catches_a_stray_module(tmp_path: Path) -> None:
    (tmp_path / "kit.py").write_text("")
    (tmp_path / "review_approve.py").write_text("")
    (tmp_path / "groups").mkdir()
    (tmp_path / "groups" / "__init__.py").write_text("")
    (tmp_path / "groups" / "approve.py").write_text("")
    assert misplaced_at_top(tmp_path) == [
        "groups/ has no views.py",
        "groups/__init__.py has no register(app)",
        "review_approve.py",
    ]
