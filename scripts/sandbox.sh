#!/usr/bin/env bash
# Set up (once) and start the sandbox: the real bot with stand-in Slack and Discourse, playing
# the demo (apply → approve → welcome), then handing the terminal to you.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
exec .venv/bin/ambassador-bot sandbox --demo "$@"
