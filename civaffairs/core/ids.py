"""Record ids: time-ordered UUIDs (version 7), so that records made on different PCs while the
office network is down can be merged without renumbering, and index locality stays good."""
from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid6.uuid7().bytes)
