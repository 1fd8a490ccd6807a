"""Alembic environment: runs on the connection handed over by storage.migrate."""

from alembic import context

import storage.models_events  # noqa: F401  (registers the event tables)
from storage import (
    models_groups,  # noqa: F401  (registers the user group tables)
    models_requests,  # noqa: F401  (registers the request tables)
)
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only used through storage.migrate
    raise RuntimeError("run migrations with `ambassador-bot migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
