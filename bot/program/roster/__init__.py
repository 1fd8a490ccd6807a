"""Bringing existing ambassadors in (`ambassador-bot import ambassadors FILE.csv`, and
`sync discourse --adopt` for badge holders unknown here), so that the rest of the bot treats an
imported person exactly like an approved one.

- `parse`: the CSV rules, pure (lines with their numbers, or refusals);
- `resolve`: each line to its Slack user (`SlackPeople` port: users.lookupByEmail, users.info);
- `plan`: each line against the records: created, updated (naming each field), unchanged, refused;
- `apply`: one line written as an approval writes it (minus the application and the welcome DM);
- `service`: `RosterService`, the whole import in one unit of work, and the adoption.
"""
