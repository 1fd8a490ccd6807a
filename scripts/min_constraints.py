"""Print a pip constraints file pinning every direct dependency to the lowest version pyproject.toml allows.

Used by scripts/test-min-versions.sh: `name>=X,<Y` becomes `name==X`. A dependency without a lower
bound is an error, so every declared minimum is one that CI installs and tests.
Usage: python3 scripts/min_constraints.py [EXTRA ...]   (the runtime dependencies plus those extras)
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")
LOWER = re.compile(r">=\s*([0-9][^,;\s]*)")


def pins(requirements: list[str]) -> list[str]:
    out = []
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name, spec = match.groups()
        lower = LOWER.search(spec.split(";", 1)[0])
        if lower is None:
            raise SystemExit(f"{name} declares no minimum version (>=): give it one that CI tests")
        out.append(f"{name}=={lower.group(1)}")
    return out


def main(extras: list[str]) -> None:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    print("\n".join(pins(requirements)))


if __name__ == "__main__":
    main(sys.argv[1:])
