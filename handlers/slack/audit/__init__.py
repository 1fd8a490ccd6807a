"""The audit log's Slack answer in `views` (the `audit` subcommand; no listener)."""
