"""The golden store: a persistent, incrementally updated set of golden records."""

from goldenrec._store._store import (
    STORE_FORMAT,
    STORE_VERSION,
    Batch,
    Changes,
    Decision,
    Event,
    GoldenStore,
    StoreFormatError,
)

__all__ = [
    "STORE_FORMAT",
    "STORE_VERSION",
    "Batch",
    "Changes",
    "Decision",
    "Event",
    "GoldenStore",
    "StoreFormatError",
]
