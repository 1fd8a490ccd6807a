# Shared by the scripts: run from the repository root, with a Python 3.11+ in $PY.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "ambassador-bot needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
