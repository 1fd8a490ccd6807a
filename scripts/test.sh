#!/usr/bin/env bash
# Set up (once) and run every check: lint, strict typing, and the whole test suite.
# The tests always run on SQLite; set TEST_DATABASE_URL (e.g.
# postgresql+asyncpg://postgres@127.0.0.1:5432/test) to run them on PostgreSQL too.
set -euo pipefail
EXTRAS="[dev]"
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_browser.sh"  # chromium and axe-core for tests/browser
.venv/bin/ruff check bot handlers storage tests bench
.venv/bin/mypy
exec .venv/bin/pytest -q "$@"
