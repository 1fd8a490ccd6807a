# Shared by the scripts: find Python 3.11+, create .venv once, install the project into it.
source "$(dirname "${BASH_SOURCE[0]}")/_python.sh"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:-}"
