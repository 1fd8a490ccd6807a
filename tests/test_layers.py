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


def _within(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def offending(package: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    """Imports of a `forbidden` module (or its submodules) in `package`, except the `allowed` ones."""
    return sorted(
        f"{file} imports {name}"
        for file, names in imports_of(package).items()
        for name in names
        if _within(name, forbidden) and not _within(name, allowed)
    )


# The one part of the platform edge that handlers read: its strict parsers' typed payloads.
# Everything else in bot.platforms (gateways, deliverers, signature checks) is wired by bot.runtime.
PARSERS = ("bot.platforms.slack.parse", "bot.platforms.discourse.parse")


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "bot.program",
            (*PLATFORM_LIBS, "handlers", "bot.platforms", "bot.server", "bot.slack", "bot.runtime"),
        ),
        ("storage", ("bot", "handlers", *PLATFORM_LIBS)),
    ],
)
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert offending(package, forbidden) == []


HANDLERS_FORBIDDEN = ("storage", "bot.platforms", "bot.runtime", "pydiscourse", "apscheduler")


def test_handlers_import_only_the_parsers_from_the_platform_edge() -> None:
    assert offending("handlers", HANDLERS_FORBIDDEN, allowed=PARSERS) == []
    # the check sees the handlers' real imports of the parsers, and would catch any other module
    seen = offending("handlers", HANDLERS_FORBIDDEN)
    assert seen
    assert all(_within(hit.split(" imports ")[1], PARSERS) for hit in seen)
    assert not _within("bot.platforms.slack.deliverer", PARSERS)
    assert not _within("bot.platforms.slack.parser_extra", PARSERS)
    assert _within("bot.platforms.slack.parse.fields", PARSERS)


def test_the_check_itself_sees_imports() -> None:
    names: set[str] = set().union(*imports_of("handlers").values())
    assert any(n.startswith("bot.program.") for n in names)
    assert offending("handlers", ("bot.program",))  # so an offending import would be caught


# The platform edge in one place each (issue 15 point 5): bot/platforms/slack/ and
# bot/platforms/discourse/ are the whole edge of their platform, and bot.platforms never imports
# handlers (the composition root, bot.runtime, hands the deliverers their renderers).

# Who in the bot package may import slack_sdk besides bot/platforms/slack/: the Bolt wiring
# (bot/slack.py), the composition root that holds the client (bot/runtime.py), the operator's
# `doctor` that probes Slack itself, and the sandbox's Block Kit checks built on slack_sdk's models.
SLACK_SDK_ELSEWHERE = ("bot/slack.py", "bot/runtime.py", "bot/doctor.py", "bot/sandbox/slack/")
OLD_EDGE_PATHS = (
    "bot/discourse.py",
    "bot/platforms/errors.py",
    "bot/platforms/slack_in.py",
    "bot/platforms/slack_out.py",
    "bot/platforms/slack_files.py",
    "bot/platforms/discourse_in.py",
    "bot/platforms/discourse_out.py",
)


def importers(root: Path, dirs: tuple[str, ...], lib: str) -> list[str]:
    """Files under `dirs` (relative to `root`) importing `lib` or one of its submodules."""
    found: set[str] = set()
    for d in dirs:
        for path in (root / d).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                if any(n == lib or n.startswith(lib + ".") for n in names):
                    found.add(path.relative_to(root).as_posix())
    return sorted(found)


def outside(files: list[str], allowed: tuple[str, ...]) -> list[str]:
    return [f for f in files if not any(f == a or (a.endswith("/") and f.startswith(a)) for a in allowed)]


def test_bot_platforms_never_imports_handlers() -> None:
    assert importers(ROOT, ("bot/platforms",), "handlers") == []


def test_only_the_slack_edge_and_the_bolt_wiring_import_slack_sdk() -> None:
    in_bot = importers(ROOT, ("bot",), "slack_sdk")
    assert "bot/platforms/slack/deliverer.py" in in_bot  # the check sees the real imports
    assert outside(in_bot, ("bot/platforms/slack/", *SLACK_SDK_ELSEWHERE)) == []
    assert importers(ROOT, ("storage", "handlers/discourse"), "slack_sdk") == []


def test_only_the_discourse_edge_imports_pydiscourse() -> None:
    found = importers(ROOT, ("bot", "handlers", "storage", "bench"), "pydiscourse")
    assert "bot/platforms/discourse/gateway.py" in found  # the check sees the real import
    assert outside(found, ("bot/platforms/discourse/",)) == []


def old_edge_leftovers(root: Path) -> list[str]:
    """Old edge modules still there, and anything but the shared modules at bot/platforms' top."""
    # shared by both platforms: the outbox worker (and its parts), strict JSON, the rate budgets
    shared = {"__init__.py", "outbox_worker.py", "outbox_outcomes.py", "strict_json.py", "budget.py"}
    stray = [f"bot/platforms/{p.name}" for p in (root / "bot/platforms").glob("*.py") if p.name not in shared]
    return sorted({*(p for p in OLD_EDGE_PATHS if (root / p).exists()), *stray})


def test_the_old_edge_paths_are_gone() -> None:
    assert (ROOT / "bot/platforms/strict_json.py").exists()  # the check looks in the right place
    assert old_edge_leftovers(ROOT) == []


def test_the_edge_rules_catch_a_violation(tmp_path: Path) -> None:
    def write(rel: str, source: str) -> None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source, encoding="utf-8")

    write("bot/platforms/slack/deliverer.py", "from handlers.slack.blocks import render\n")
    write("bot/platforms/discourse/gateway.py", "import pydiscourse\nfrom slack_sdk import WebClient\n")
    write("bot/program/forum.py", "from pydiscourse.exceptions import DiscourseError\n")
    write("bot/services.py", "import slack_sdk.errors\n")
    write("bot/slack.py", "from slack_sdk.errors import SlackApiError\n")
    write("bot/platforms/slack_in.py", "")
    write("bot/discourse.py", "")
    assert old_edge_leftovers(tmp_path) == ["bot/discourse.py", "bot/platforms/slack_in.py"]
    assert importers(tmp_path, ("bot/platforms",), "handlers") == ["bot/platforms/slack/deliverer.py"]
    assert outside(
        importers(tmp_path, ("bot",), "slack_sdk"), ("bot/platforms/slack/", *SLACK_SDK_ELSEWHERE)
    ) == [
        "bot/platforms/discourse/gateway.py",
        "bot/services.py",
    ]
    assert outside(importers(tmp_path, ("bot",), "pydiscourse"), ("bot/platforms/discourse/",)) == [
        "bot/program/forum.py"
    ]


def calls_of(source: str, attribute: str) -> int:
    """How many calls `<anything>.<attribute>(...)` the source makes."""
    return sum(
        1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute
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
    "events_fallback.py",
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


# -- data access only in storage, charts drawn at the edge (issue 15, point 4) ------------------------

PROGRAM_FORBIDDEN_LIBS = ("sqlalchemy", "matplotlib")
# The one place left that reaches the raw session: a group request flushes to get its id before
# the form's answers are written (a repository method for it is the next step). Nothing else in
# bot/program may touch the session; remove the name when it is fixed.
SESSION_ALLOWED = frozenset({"bot/program/groups/intake.py"})


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


# -- platforms named by the Platform enum (issue 15, point 5) -------------------------------------


def platform_literals(source: str) -> int:
    """Keyword arguments `platform="..."` given as a bare string instead of a `Platform` member."""
    return sum(
        1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.keyword)
        and node.arg == "platform"
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def test_the_service_layer_names_platforms_by_the_enum() -> None:
    spelled = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot" / "program").rglob("*.py")
        if platform_literals(path.read_text(encoding="utf-8"))
    )
    assert spelled == []
    assert platform_literals('audit(platform="slack")\n') == 1  # so a bare string would be caught
    assert platform_literals("audit(platform=Platform.SLACK)\n") == 0


# -- statuses named by their enums (issue 15, point 6) -------------------------------------------

# Files whose entities' statuses may still be spelled as text (not yet a StrEnum in storage/enums.py).
# Every entity with a closed status set has its enum now, so none is; add a file only with a reason.
STATUS_ALLOWED: tuple[str, ...] = ()


def _is_status(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "status"


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def status_literals(source: str) -> list[int]:
    """Lines where a `.status` is compared with or assigned a bare string, or `status="..."` is
    passed, instead of a member of the entity's status enum."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_status(s) for s in sides) and any(
                _is_text(s) or (isinstance(s, ast.Tuple) and any(_is_text(e) for e in s.elts)) for s in sides
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.Assign):
            targets = [e for t in node.targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            if len(targets) == len(values) and any(
                _is_status(t) and _is_text(v) for t, v in zip(targets, values, strict=True)
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg == "status" and _is_text(node.value):
            found.append(node.value.lineno)
    return found


def test_the_service_layer_names_statuses_by_their_enums() -> None:
    spelled = sorted(
        f"{path.relative_to(ROOT)}:{line}"
        for path in (ROOT / "bot" / "program").rglob("*.py")
        if not str(path.relative_to(ROOT)).startswith(STATUS_ALLOWED)
        for line in status_literals(path.read_text(encoding="utf-8"))
    )
    assert spelled == []


def test_the_status_check_sees_bare_strings() -> None:
    assert status_literals('if amb.status != "active":\n    pass\n') == [1]
    assert status_literals('ok = g.status in ("pending", "granted")\n') == [1]
    assert status_literals('grant.status = "granted"\n') == [1]
    assert status_literals('grant.id, grant.status = 3, "revoked"\n') == [1]
    assert status_literals('BadgeGrant(person_id=1, status="pending")\n') == [1]
    assert status_literals("amb.status = AmbassadorStatus.ALUMNI\n") == []
    assert status_literals("if nom.status == NominationStatus.PENDING:\n    pass\n") == []


# -- roles decided in one place (DESIGN.md: permissions.py) ----------------------------------------
ROLE_DECIDERS = {"bot/program/permissions.py", "bot/program/roles.py"}


def role_checks(source: str) -> list[int]:
    """Lines that ask `…is_moderator(…)` themselves instead of going through the guard."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "is_moderator"
    ]


def test_roles_are_decided_only_in_permissions() -> None:
    asked = sorted(
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("bot/program", "handlers")
        for path in (ROOT / folder).rglob("*.py")
        if str(path.relative_to(ROOT)) not in ROLE_DECIDERS
        for line in role_checks(path.read_text(encoding="utf-8"))
    )
    assert asked == []


def test_the_role_check_sees_a_check_of_its_own() -> None:
    assert role_checks("if await self._roles.is_moderator(actor):\n    pass\n") == [1]
    assert role_checks("await self._guard.require(actor, Permission.LINK_MANUAL, Subject(u))\n") == []
    assert role_checks((ROOT / "bot/program/permissions.py").read_text(encoding="utf-8"))


# -- badges & forum sync, privacy, reports: feature packages of small modules (issue 15) ----------

FEATURE_PACKAGES = ("badges", "privacy", "reports")
FLAT_MODULES = ("badges", "forum", "sync", "privacy", "reports", "exports", "charts")
MAX_MODULE_LINES = 400


def feature_package_problems(program: Path) -> list[str]:
    """A flat module left beside the packages, or a package module that is too long or says
    nothing about what is in it (no module docstring)."""
    problems = [f"{name}.py is still flat" for name in FLAT_MODULES if (program / f"{name}.py").exists()]
    for package in FEATURE_PACKAGES:
        for path in sorted((program / package).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            where = f"{package}/{path.name}"
            if len(source.splitlines()) >= MAX_MODULE_LINES:
                problems.append(f"{where} has {len(source.splitlines())} lines")
            if ast.get_docstring(ast.parse(source)) is None:
                problems.append(f"{where} has no docstring")
    return problems


def test_badges_privacy_and_reports_are_packages_of_small_documented_modules() -> None:
    program = ROOT / "bot" / "program"
    assert all((program / p / "__init__.py").exists() for p in FEATURE_PACKAGES)
    assert feature_package_problems(program) == []


def test_the_feature_package_check_catches_a_flat_or_long_module(tmp_path: Path) -> None:
    for package in FEATURE_PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text('"""Docs."""\n', encoding="utf-8")
    (tmp_path / "forum.py").write_text('"""Old."""\n', encoding="utf-8")
    (tmp_path / "privacy" / "forget.py").write_text("x = 1\n" * MAX_MODULE_LINES, encoding="utf-8")
    assert feature_package_problems(tmp_path) == [
        "forum.py is still flat",
        f"privacy/forget.py has {MAX_MODULE_LINES} lines",
        "privacy/forget.py has no docstring",
    ]


# -- events, terms and the sweep (issue 15) ------------------------------------------------------

TYPED_PACKAGES = ("events", "terms", "reminders")


def test_events_terms_and_the_sweep_queue_only_typed_messages() -> None:
    """Their Slack messages are typed `Message`s (outbox.post/dm): no payload names a template."""
    import re  # appended here: the module's imports belong to the other checks

    spelled = sorted(
        str(path.relative_to(ROOT))
        for name in TYPED_PACKAGES
        for path in (ROOT / "bot" / "program" / name).rglob("*.py")
        if re.search(r'"template"\s*:', path.read_text(encoding="utf-8"))
    )
    assert spelled == []


def test_events_terms_and_the_sweep_are_small_modules() -> None:
    big = sorted(
        f"{path.relative_to(ROOT)}: {n} lines"
        for name in TYPED_PACKAGES
        for path in (ROOT / "bot" / "program" / name).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= 400
    )
    assert big == []


# Typed outbound messages (issue 15 point 3): the service layer builds a frozen dataclass per
# message kind and queues it through bot.program.outbox, whose `message_payload` is the one place
# the row's {"template", "data"} shape is written; every Slack renderer is registered for the
# message type it draws. A decision refers to the message it came from by a `MessageRef`, so no
# service takes Slack's `ts`; `bot.program.messages.slack_message` is where a Slack one is made.
def hand_built_payloads(root: Path) -> list[str]:
    """Dict literals with a "template" key (a Slack message) or a "raw" key (forum Markdown) in
    bot/program, outside bot/program/outbox.py."""
    found: list[str] = []
    for path in sorted((root / "bot" / "program").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == "bot/program/outbox.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value in ("template", "raw") for k in node.keys
            ):
                found.append(f"{rel}:{node.lineno}")
    return found


def slack_ts_parameters(root: Path) -> list[str]:
    """Functions in bot/program that take Slack's `ts`, outside bot/program/messages.py (where a
    Slack message becomes a neutral `MessageRef`: `slack_message`)."""
    found: list[str] = []
    for path in sorted((root / "bot" / "program").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == "bot/program/messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = {a.arg for a in (*node.args.args, *node.args.kwonlyargs)}
                if names & {"ts", "message_ts"}:
                    found.append(f"{rel}:{node.lineno} {node.name}")
    return found


def test_the_service_layer_queues_typed_messages_only() -> None:
    assert hand_built_payloads(ROOT) == []


def test_decisions_take_a_neutral_message_reference() -> None:
    assert slack_ts_parameters(ROOT) == []


def test_the_typed_message_checks_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bot" / "program" / "stray.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "async def decide(uow, channel, ts):\n"
        "    await queue(uow, 'k', 'slack.post', {'template': 'notice', 'data': {}}, now)\n",
        encoding="utf-8",
    )
    assert hand_built_payloads(tmp_path) == ["bot/program/stray.py:2"]
    assert slack_ts_parameters(tmp_path) == ["bot/program/stray.py:1 decide"]


def test_every_slack_renderer_draws_a_typed_message() -> None:
    import dataclasses

    from bot.program.messages import Message
    from handlers.slack.renderers import slack_renderers

    registry = slack_renderers()
    entries = {**registry.messages, **registry.views}
    untyped = []
    for kind, renderer in entries.items():
        cls = getattr(renderer, "message_type", None)
        ok = (
            isinstance(cls, type)
            and issubclass(cls, Message)
            and dataclasses.is_dataclass(cls)
            and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and cls.kind == kind
        )
        if not ok:
            untyped.append(kind)
    assert entries and untyped == []


# -- storage: a feature's tables and repository side by side, on one base (issue 15) ---------------


def storage_layout_problems(module: str, source: str) -> list[str]:
    """What breaks the storage layout in one module: a `repositories_<feature>` module (the
    repository belongs in `storage/<feature>.py`, beside its tables), or a repository class not
    built on `storage.repository.Repository` (the shared statement shapes)."""
    problems = (
        [f"{module}: a repository belongs in storage/<feature>.py"]
        if module.startswith("repositories_")
        else []
    )
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Repo"):
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if "Repository" not in bases:
                problems.append(f"{module}: {node.name} is not a Repository")
    return problems


def test_storage_keeps_each_repository_beside_its_tables_on_the_one_base() -> None:
    found = [
        p
        for path in sorted((ROOT / "storage").glob("*.py"))
        for p in storage_layout_problems(path.stem, path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_storage_layout_check_sees_a_violation() -> None:
    assert storage_layout_problems("repositories_terms", "") != []
    assert storage_layout_problems("terms", "class TermRepo:\n    pass\n") == [
        "terms: TermRepo is not a Repository"
    ]
    assert storage_layout_problems("terms", "class TermRepo(Repository):\n    pass\n") == []


def test_the_sandbox_and_the_benchmarks_keep_small_modules() -> None:
    """DESIGN.md: modules under ~400 lines. The stand-ins, the harness and the benchmarks split by
    topic (terminal/, slack/gate, responses, events, answers; bench/synthetic, fanout, …)."""
    big = sorted(
        f"{path.relative_to(ROOT)}: {n} lines"
        for folder in (ROOT / "bot" / "sandbox", ROOT / "bench")
        for path in folder.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= 400
    )
    assert big == []


# One dependencies value (issue 15 point 6): a service is built from the `ServiceDeps` the
# composition root makes once, not from a row of positional arguments in drifting order. The
# exceptions take only a unit of work and a clock (the command line builds them without settings).
TWO_PART_SERVICES = {"BackupService", "CalendarService", "PrivacyService"}


def services_not_built_from_deps(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted((root / "bot" / "program").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name in TWO_PART_SERVICES:
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args.args[1:]
                    first = ast.unparse(args[0].annotation) if args and args[0].annotation else ""
                    if node.name.endswith("Service") and first != "ServiceDeps":
                        found.append(f"{rel}:{item.lineno} {node.name}")
    return found


def test_services_are_built_from_one_dependencies_value() -> None:
    assert services_not_built_from_deps(ROOT) == []


def test_the_dependencies_check_sees_a_positional_constructor(tmp_path: Path) -> None:
    bad = tmp_path / "bot" / "program" / "stray.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "class StrayService:\n    def __init__(self, uow, settings, clock):\n        pass\n",
        encoding="utf-8",
    )
    assert services_not_built_from_deps(tmp_path) == ["bot/program/stray.py:2 StrayService"]


# Small modules (issue 15 point 6): every module of the bot, the handlers, storage and the
# benchmarks stays under ~400 lines; the migrations are history and are not rewritten.
MAX_MODULE_LINES = 400


def long_modules(root: Path) -> list[str]:
    found: list[str] = []
    for top in ("bot", "handlers", "storage", "bench"):
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if "/migrations/" in rel:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                found.append(f"{rel}: {lines} lines")
    return found


def test_every_module_stays_small() -> None:
    assert long_modules(ROOT) == []


def test_the_size_check_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "long.py").write_text("x = 1\n" * 401, encoding="utf-8")
    assert long_modules(tmp_path) == ["bot/long.py: 401 lines"]


def test_every_forum_renderer_draws_a_typed_message() -> None:
    from bot.program.messages import Message
    from handlers.discourse.renderers import discourse_renderers

    posts = discourse_renderers().posts
    untyped = [
        kind
        for kind, renderer in posts.items()
        if not (
            isinstance(cls := getattr(renderer, "message_type", None), type)
            and issubclass(cls, Message)
            and cls.kind == kind
        )
    ]
    assert posts and untyped == []
