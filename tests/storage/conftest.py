"""A migrated engine on the test's throwaway database, for the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
