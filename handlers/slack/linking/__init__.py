"""Linking a Slack account to a forum account: the `link` answers in `views` (no listener)."""
