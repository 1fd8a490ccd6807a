"""The whole Discourse edge of the bot, and the only package that imports pydiscourse.

- `inbound`: the webhook's HMAC signature on the raw bytes, then one strict decode.
- `parse`: strict readers of the payload's fields (ids in range, strings), used by handlers/discourse.
- `gateway`: the paced, off-loop API client over pydiscourse (errors mapped to the outbox's delivery
  errors), and the id → name look-ups the webhooks and services need.
- `deliverer`: Discourse outbox rows delivered through the gateway, at most once.
"""
