"""Typed exceptions raised by goldenrec.

Messages name columns, roles, sources and record keys, never personal values.
"""

from __future__ import annotations

__all__ = [
    "BackupError",
    "ConfigError",
    "GoldenrecError",
    "InputError",
    "NotFittedError",
    "OutputError",
    "SerialisationError",
]


class GoldenrecError(Exception):
    """Base class of every error goldenrec raises on purpose."""


class ConfigError(GoldenrecError, ValueError):
    """A specification or setting is invalid (unknown role, bad threshold...)."""


class InputError(GoldenrecError, ValueError):
    """Input data cannot be used as given.

    ``column``, ``source`` and ``record_key`` say where the problem is; the offending
    value itself is never part of the message.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        source: str | None = None,
        record_key: str | None = None,
    ) -> None:
        parts = [message]
        where = []
        if source is not None:
            where.append(f"source={source!r}")
        if column is not None:
            where.append(f"column={column!r}")
        if record_key is not None:
            where.append(f"record_key={record_key!r}")
        if where:
            parts.append("(" + ", ".join(where) + ")")
        super().__init__(" ".join(parts))
        self.column = column
        self.source = source
        self.record_key = record_key


class NotFittedError(GoldenrecError, RuntimeError):
    """A model was used before ``fit`` was called."""


class OutputError(GoldenrecError, OSError):
    """An output file or directory cannot be written. The message names the file (and
    the table); ``strerror`` says why, never with a value of the table."""


class SerialisationError(GoldenrecError, ValueError):
    """A saved pipeline or model cannot be read (wrong format, version or content)."""


class BackupError(SerialisationError):
    """A backup of a golden store cannot be made, verified or restored (damaged file,
    checksum mismatch, failed integrity check)."""
