"""The process harness that the tests and the benchmarks share (DESIGN.md, "Layers"): a bot run
in-process over real HTTP on loopback against the Slack and Discourse stand-ins (`stack`), a bot
run as a real ``python -m bot.cli run`` subprocess (`procs`), a bulk loader for a large synthetic
directory (`directory_seed`) and abusive raw-socket clients (`slow_clients`).

It lives in the package, not under ``tests/``, so that ``bench/`` can use it without importing the
test suite; fixtures that only the tests need stay in ``tests/``."""
