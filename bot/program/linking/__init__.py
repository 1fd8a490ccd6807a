"""Linking a Slack person to their forum account.

- `codes`: the one-time codes (made, normalised, hashed), the forum username check, and the
  forum private message that carries a code.
- `service`: `LinkingService`, self-service linking by code and a moderator's link by hand.
"""
