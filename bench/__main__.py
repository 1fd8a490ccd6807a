"""``python -m bench``: run the whole benchmark suite (see bench/suite.py and bench/README.md)."""

from __future__ import annotations

import sys

from bench.suite import main

sys.exit(main())
