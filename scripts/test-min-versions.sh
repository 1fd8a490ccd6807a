#!/usr/bin/env bash
# Install the lowest version of every direct dependency that pyproject.toml allows into .venv-min/
# (its own folder, apart from .venv/) and run the unit and e2e tiers on them, on SQLite.
# A minimum that does not pass here is one to raise in pyproject.toml.
source "$(dirname "${BASH_SOURCE[0]}")/_python.sh"
if [ ! -x .venv-min/bin/python ]; then
    "$PY" -m venv .venv-min
fi
"$PY" scripts/min_constraints.py dev > .venv-min/constraints.txt
.venv-min/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip > /dev/null 2>&1 || true
if ! .venv-min/bin/python -m pip install --disable-pip-version-check \
    -c .venv-min/constraints.txt -e ".[dev]" > .venv-min/pip.log 2>&1; then
    echo "The declared minimum versions do not install together (pip's words, from .venv-min/pip.log):" >&2
    grep -v "is ignored: it is neither" .venv-min/pip.log | tail -n 25 >&2
    exit 1
fi
echo "Declared minimum versions installed in .venv-min:"
tr '\n' ' ' < .venv-min/constraints.txt
echo
unset TEST_DATABASE_URL
exec .venv-min/bin/pytest -q -p no:cacheprovider \
    tests/bot tests/handlers tests/storage tests/e2e tests/test_layers.py "$@"
