"""The platform edge: everything that speaks Slack's or Discourse's wire, one package each.

- `slack/`: Slack's signature check and decode, the strict payload parser (`slack.parse`), the Web
  API client, the deliverer and file uploads.
- `discourse/`: the webhook's HMAC check and decode, the strict field readers (`discourse.parse`),
  the paced pydiscourse gateway, the deliverer.
- `outbox_worker`: the worker both deliverers serve (leases, retries, backoff, 429 handling).
- `strict_json`: the one strict JSON reader both inbound decoders use.

It never imports handlers: the composition root (bot.runtime) hands each deliverer what it needs,
e.g. the Slack renderers. Handlers import only the two parsers (their typed payloads).
"""
