"""Privacy: one person's data. Everything the bot holds about them (`export person`, in
`export`) and forgetting them (`forget`, in `forget` and `sweep`); `identity` finds the person,
`service.PrivacyService` is what the CLI calls.

What `forget` does, table by table (rows that other records or finance need stay, anonymised):

- people: kept as a tombstone: display name "forgotten person #<id>"; Slack id, forum username,
  forum user id, link time and timezone cleared (so nobody can be found by them any more).
- profiles, link_codes, group_memberships, calendar_tokens, rsvps, bookings,
  user_group_organisers (their own rows), nominations *of* them: deleted.
- applications: kept for the program's numbers; name becomes the tombstone, every free-text
  answer (forum username, location, timezone, expertise, links, motivation, decision reason) is
  emptied; a pending one is closed as rejected ("withdrawn: person forgotten").
- ambassadors: kept (terms count in reports); an active term ends now and the status becomes alumni.
  onboarding_steps and badge_grants: kept, they hold no personal text.
- requests (finance records): kept with reference, kind, amount, currency, dates and status; the
  summary and the free-text details are replaced; an open one is rejected. Notes on their requests
  and notes they wrote lose their text.
- Their Slack id anywhere else (a decision they took, a group they asked for or mentor, an event
  they host, audit actor...) becomes "forgotten#<id>"; their names and forum username inside any
  other text or JSON column (audit before/after, outbox payloads, reminders, other people's free
  text) are replaced the same way.
- outbox: rows still waiting that address or mention them are cancelled (nothing more is sent to
  them or about them).
- audit_log: rows stay (accountability) but hold only the tombstone; one row
  "person.forgotten" by the CLI operator records the deletion with row counts only.

Nothing is removed from Slack or the forum themselves: messages already posted and the forum
account are the platforms' (the forum badge and group membership are left as they are).
"""
