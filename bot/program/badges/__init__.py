"""Badges and forum sync: the bot's records of forum badges and group memberships, kept in line
with the forum.

- `grants`: moderators grant and revoke forum badges from Slack (`BadgeService`);
- `forum`: what the forum's webhooks tell (posts, topics, badges, group members, new users),
  brought into the records exactly once (`ForumService`);
- `sync`: the reconciliation of the forum's badge holders and group members against the records
  (`SyncService`, nightly and `ambassador-bot sync discourse`);
- `records`: what the three share: the base of their services, finding a linked person, and the
  steps that record a grant or a revocation.
"""
