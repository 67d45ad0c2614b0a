"""Survivorship: one golden value per cluster and field, with lineage."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from goldenrec._normalise._base import INVALID, VALID
from goldenrec._roles import ROLES
from goldenrec.errors import ConfigError

__all__ = [
    "Longest",
    "MostFrequent",
    "MostRecent",
    "SourcePriority",
    "Survivorship",
    "SurvivorshipRule",
    "golden_id_for",
    "rule_from_dict",
]

LINEAGE_COLUMNS = ["golden_id", "field", "value", "source", "record_key", "rule",
                   "decided_by", "n_candidates", "runner_up"]


@dataclass(frozen=True)
class SurvivorshipRule:
    """Base rule: rank the candidate values of a field within a cluster.

    A rule contributes sort keys (smaller sorts first); ties fall through to the next
    step of the chain: frequency, most recent update, then the smallest
    ``(source, record_key)``, so results never depend on input row order.
    """

    kind: ClassVar[str] = "rule"

    def sort_keys(self, candidates: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        return []

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.kind}
        for item in fields(self):
            value = getattr(self, item.name)
            data[item.name] = list(value) if isinstance(value, tuple) else value
        return data


@dataclass(frozen=True)
class MostFrequent(SurvivorshipRule):
    """The value most records of the cluster agree on (by match key)."""

    kind: ClassVar[str] = "most_frequent"

    def sort_keys(self, candidates: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        return [("most_frequent", -candidates["count"].to_numpy())]


@dataclass(frozen=True)
class MostRecent(SurvivorshipRule):
    """The value from the most recently updated record (needs ``updated_at``)."""

    kind: ClassVar[str] = "most_recent"

    def sort_keys(self, candidates: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        return [("most_recent", -candidates["recency"].to_numpy())]


@dataclass(frozen=True)
class Longest(SurvivorshipRule):
    """The longest display value (most complete)."""

    kind: ClassVar[str] = "longest"

    def sort_keys(self, candidates: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        lengths = candidates["value"].map(lambda v: len(str(v))).to_numpy()
        return [("longest", -lengths)]


@dataclass(frozen=True)
class SourcePriority(SurvivorshipRule):
    """The value from the first source in ``order`` that has one."""

    order: tuple[str, ...] = ()
    kind: ClassVar[str] = "source_priority"

    def sort_keys(self, candidates: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        rank = {name: i for i, name in enumerate(self.order)}
        values = candidates["source"].map(lambda s: rank.get(s, len(rank))).to_numpy()
        return [("source_priority", values)]


_RULES: dict[str, type[SurvivorshipRule]] = {
    cls.kind: cls for cls in (MostFrequent, MostRecent, Longest, SourcePriority)
}


def rule_from_dict(data: Mapping[str, Any]) -> SurvivorshipRule:
    cls = _RULES.get(str(data.get("type")))
    if cls is None:
        raise ConfigError(f"unknown survivorship rule {data.get('type')!r}")
    args = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k != "type"}
    try:
        return cls(**args)
    except TypeError:
        raise ConfigError(f"bad settings for survivorship rule {data.get('type')!r}") from None


def golden_id_for(source: str, record_key: str) -> str:
    """A golden id derived from a member record, e.g. the cluster's smallest record."""
    digest = hashlib.sha256(f"{source}\x1f{record_key}".encode()).hexdigest()
    return f"G{digest[:15]}"


class Survivorship:
    """Choose a golden value per cluster and field, and say why.

    ``rules`` maps a field to its rule (default :class:`MostFrequent`). Valid values
    always win over invalid ones; placeholders and missing values never win.

    >>> Survivorship({"email": MostRecent()}).rules["email"]
    MostRecent()
    """

    def __init__(self, rules: Mapping[str, SurvivorshipRule] | None = None,
                 *, default: SurvivorshipRule | None = None) -> None:
        self.rules = dict(rules or {})
        self.default = default

    def rule_for(self, field: str) -> SurvivorshipRule:
        return self.rules.get(field) or self.default or MostFrequent()

    def survive(
        self, records: pd.DataFrame, clusters: np.ndarray, fields: Sequence[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
        """Return ``(golden, lineage, golden_id per record)``."""
        for field in self.rules:
            if field not in ROLES and f"{field}_status" not in records.columns:
                raise ConfigError(f"survivorship rule for unknown field {field!r}")
        n = len(records)
        source = records["source"].to_numpy(dtype=object)
        key = records["record_key"].to_numpy(dtype=object)
        # the golden id comes from the cluster's smallest (source, record_key)
        order = np.lexsort((key, source))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        cluster_codes, cluster_ids = pd.factorize(clusters, sort=True)
        first_rank = np.full(len(cluster_ids), n, dtype=np.int64)
        np.minimum.at(first_rank, cluster_codes, rank)
        representative = order[first_rank]
        golden_ids = np.array([golden_id_for(source[i], key[i]) for i in representative],
                              dtype=object)
        record_golden = pd.Series(golden_ids[cluster_codes], index=records.index, dtype=object)
        if "updated_at" in records.columns:
            stamps = pd.to_datetime(
                records["updated_at"].where(records["updated_at_status"] == VALID),
                errors="coerce",
            )
            recency = stamps.to_numpy(dtype="datetime64[s]").astype(np.int64)
            recency = np.where(stamps.isna().to_numpy(), np.iinfo(np.int64).min, recency)
        else:
            recency = np.zeros(n, dtype=np.int64)
        golden = pd.DataFrame({"golden_id": golden_ids})
        sizes = np.bincount(cluster_codes, minlength=len(cluster_ids))
        golden["n_records"] = sizes
        source_sets = pd.Series(source).groupby(cluster_codes).agg(
            lambda s: ";".join(sorted(set(s))))
        golden["sources"] = source_sets.reindex(range(len(cluster_ids))).to_numpy()
        lineage_parts = []
        for field in fields:
            chosen, lineage = self._survive_field(
                records, field, cluster_codes, golden_ids, source, key, rank, recency)
            golden[field] = chosen
            lineage_parts.append(lineage)
        lineage = (pd.concat(lineage_parts, ignore_index=True) if lineage_parts
                   else pd.DataFrame(columns=LINEAGE_COLUMNS))
        golden = golden.sort_values("golden_id", kind="mergesort").reset_index(drop=True)
        lineage = lineage.sort_values(["golden_id", "field"], kind="mergesort").reset_index(
            drop=True)
        ordered_fields = [f for f in fields]
        golden = golden[["golden_id", *ordered_fields, "n_records", "sources"]]
        return golden, lineage, record_golden

    def _survive_field(  # noqa: PLR0917
        self, records: pd.DataFrame, field: str, cluster_codes: np.ndarray,
        golden_ids: np.ndarray, source: np.ndarray, key: np.ndarray, rank: np.ndarray,
        recency: np.ndarray,
    ) -> tuple[np.ndarray, pd.DataFrame]:
        status = records[f"{field}_status"].to_numpy(dtype=object)
        usable = (status == VALID) | (status == INVALID)
        usable &= records[field].notna().to_numpy()
        rows = np.flatnonzero(usable)
        chosen = np.full(len(golden_ids), None, dtype=object)
        if len(rows) == 0:
            return chosen, pd.DataFrame(columns=LINEAGE_COLUMNS)
        candidates = pd.DataFrame({
            "cluster": cluster_codes[rows],
            "value": records[field].to_numpy(dtype=object)[rows],
            "match_key": records[f"{field}_key"].fillna(records[field]).to_numpy(
                dtype=object)[rows],
            "invalid": (status[rows] == INVALID).astype(np.int8),
            "source": source[rows], "record_key": key[rows],
            "rank": rank[rows], "recency": recency[rows],
        })
        candidates["count"] = candidates.groupby(["cluster", "invalid", "match_key"])[
            "rank"].transform("size")
        rule = self.rule_for(field)
        steps: list[tuple[str, np.ndarray]] = [("valid_over_invalid",
                                                candidates["invalid"].to_numpy())]
        steps += rule.sort_keys(candidates)
        steps += [("most_frequent", -candidates["count"].to_numpy()),
                  ("most_recent", -candidates["recency"].to_numpy()),
                  ("record_key", candidates["rank"].to_numpy())]
        sort_keys = [s for _, s in reversed(steps)]
        sort_order = np.lexsort((*sort_keys, candidates["cluster"].to_numpy()))
        ordered = candidates.iloc[sort_order].reset_index(drop=True)
        step_values = np.column_stack([s[sort_order] for _, s in steps])
        cluster = ordered["cluster"].to_numpy()
        first = np.r_[True, cluster[1:] != cluster[:-1]]
        winners = np.flatnonzero(first)
        # the runner-up is the best candidate of the cluster with a different match key
        match_keys = ordered["match_key"].to_numpy(dtype=object)
        winner_of_row = np.repeat(winners, np.diff(np.r_[winners, len(ordered)]))
        differs = match_keys != match_keys[winner_of_row]
        runner_rows = pd.Series(np.arange(len(ordered))[differs]).groupby(
            cluster[differs]).first()
        n_candidates = pd.Series(match_keys).groupby(cluster).nunique()
        lineage_rows = []
        step_names = [name for name, _ in steps]
        for winner in winners:
            c = int(cluster[winner])
            runner = runner_rows.get(c)
            decided_by = "only_candidate"
            runner_value = None
            if runner is not None:
                runner_value = ordered.at[int(runner), "value"]
                for position, name in enumerate(step_names):
                    if step_values[winner, position] != step_values[int(runner), position]:
                        decided_by = name
                        break
            chosen[c] = ordered.at[winner, "value"]
            lineage_rows.append((golden_ids[c], field, ordered.at[winner, "value"],
                                 ordered.at[winner, "source"], ordered.at[winner, "record_key"],
                                 rule.kind, decided_by, int(n_candidates[c]), runner_value))
        return chosen, pd.DataFrame(lineage_rows, columns=LINEAGE_COLUMNS)
