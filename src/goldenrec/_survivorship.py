"""Survivorship: one golden value per cluster and field, with lineage.

The engine (:class:`Survivorship`) ranks each cluster's candidate values with a rule
per field (:mod:`goldenrec._survivorship_rules`), then the rule's tie-break chain,
then the record key; field groups rank whole records; steward overrides win last.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from goldenrec._compact import compact, compact_counts, expanded, expanded_counts
from goldenrec._consent import plan_consent
from goldenrec._lineage import (
    CONFLICT_COLUMNS,
    LINEAGE_COLUMNS,
    LineageRows,
    RecordLineage,
    ValueExplanation,
    cluster_confidence,
    conflict_rows,
    conflict_table,
    explain_candidates,
    lineage_table,
    values_at,
    winner_edges,
)
from goldenrec._normalise._base import INVALID, VALID
from goldenrec._processes import check_n_jobs, fork_map, worker_count
from goldenrec._roles import ROLES
from goldenrec._survivorship_rules import (
    DECIMALS,
    MAX_CLOSENESS_VALUES,
    Aggregate,
    Candidates,
    Closeness,
    Custom,
    Decay,
    FieldGroup,
    FieldStats,
    FirstNonMissing,
    Longest,
    Maximum,
    Minimum,
    MostFrequent,
    MostRecent,
    Oldest,
    Prevalence,
    Shortest,
    SourcePriority,
    SourceTrust,
    SurvivorshipRule,
    group_from_dict,
    rule_from_dict,
    token_counts,
    unique_pairs,
)
from goldenrec.errors import ConfigError, InputError

__all__ = [
    "ADDRESS_FIELDS",
    "DEFAULT_CHAIN",
    "LINEAGE_COLUMNS",
    "OVERRIDE_COLUMNS",
    "PARALLEL_MIN_RECORDS",
    "Aggregate",
    "Closeness",
    "Custom",
    "Decay",
    "FieldGroup",
    "FirstNonMissing",
    "Longest",
    "Maximum",
    "Minimum",
    "MostFrequent",
    "MostRecent",
    "Oldest",
    "Prevalence",
    "Shortest",
    "SourcePriority",
    "SourceTrust",
    "Survivorship",
    "SurvivorshipResult",
    "SurvivorshipRule",
    "golden_id_for",
    "rule_from_dict",
]

logger = logging.getLogger(__name__)

#: A field's conflict rows and each row's cluster code.
_ConflictRows = tuple[pd.DataFrame, np.ndarray]

OVERRIDE_COLUMNS = ["golden_id", "field", "value"]
#: Ties on the rule fall through this chain (then the record key) unless ``then`` is set.
DEFAULT_CHAIN: tuple[SurvivorshipRule, ...] = (
    MostFrequent(), SourceTrust(), MostRecent(), Closeness(), Prevalence())
#: The default field group: an address comes from one record, never a mix of two.
ADDRESS_FIELDS = ("street_number", "street", "address_line_2", "locality", "postcode",
                  "region")
DEFAULT_GROUPS = (FieldGroup("address", ADDRESS_FIELDS),)
MANUAL_OVERRIDE = "manual_override"
#: Fields whose differing values are not conflicts (they differ between records by nature).
NO_CONFLICTS = frozenset({"updated_at"})
_FORMAT = "goldenrec.survivorship"
#: From this many records on, ``survive`` spreads the fields over worker processes
#: (at 100,000 records, starting them costs about what it saves on two cores).
PARALLEL_MIN_RECORDS: Final = 200_000


def golden_id_for(source: str, record_key: str) -> str:
    """A golden id derived from a member record, e.g. the cluster's smallest record."""
    digest = hashlib.sha256(f"{source}\x1f{record_key}".encode()).hexdigest()
    return f"G{digest[:15]}"


def _golden_ids(sources: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`golden_id_for` of many records (an object array)."""
    sha256 = hashlib.sha256
    return np.array(["G" + sha256(f"{s}\x1f{k}".encode()).hexdigest()[:15]
                     for s, k in zip(sources.tolist(), keys.tolist())], dtype=object)


# -- internal state --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Context:
    """Per-record arrays shared by every field of one run."""

    records: pd.DataFrame
    source: np.ndarray
    key: np.ndarray
    rank: np.ndarray
    cluster: np.ndarray         # per record: cluster code, in golden id order
    golden_ids: np.ndarray      # per cluster code, sorted
    golden_rank: np.ndarray     # per cluster code: rank among the distinct golden ids
    recency: np.ndarray
    as_of: float
    source_trust: Mapping[str, float]
    frames: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)
    #: Per field, times that replace ``recency`` (consent fields: decision times).
    field_recency: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    #: Fields whose differing values are not conflicts in this run.
    no_conflicts: set[str] = dataclasses.field(default_factory=set)
    #: Per field, data-set-wide facts given to ``survive`` (used instead of computed).
    frozen_stats: dict[str, FieldStats] = dataclasses.field(default_factory=dict)
    #: Per field, ``pd.factorize`` of the match keys of ``frames[field]``.
    factorized: dict[str, tuple[np.ndarray, np.ndarray]] = dataclasses.field(
        default_factory=dict)

    def recency_for(self, field: str) -> np.ndarray:
        return self.field_recency.get(field, self.recency)


@dataclass(frozen=True)
class _Unit:
    """One thing to survive: a single field with its rule, or a field group."""

    fields: tuple[str, ...]
    rule: SurvivorshipRule
    group: str | None = None


@dataclass(frozen=True, eq=False)
class _Outcome:
    """What surviving one unit gives, by record position (compact to send between
    processes): per field, the statistics and each cluster's golden record (-1: none;
    a list field has none: its values are its lineage's), lineage and conflicts."""

    stats: dict[str, FieldStats]
    winners: dict[str, np.ndarray]
    lineage: list[RecordLineage]
    conflicts: list[_ConflictRows]


@dataclass(frozen=True, eq=False)
class _Ranked:
    """Candidates in ranking order with each cluster's winner and runner-up."""

    candidates: Candidates
    steps: list[str]
    scores: np.ndarray          # candidates × steps, cleaned (higher wins)
    order: np.ndarray | None    # candidate rows in ranking order (None: lazy)
    winner: np.ndarray          # per cluster code: candidate row, -1 if none
    runner_up: np.ndarray       # per cluster code: candidate row, -1 if none
    decided_by: np.ndarray      # per cluster code
    n_candidates: np.ndarray    # per cluster code: distinct match keys


def _clean(scores: np.ndarray) -> np.ndarray:
    values = np.asarray(scores, dtype=np.float64)
    values = np.where(np.isnan(values), -np.inf, values)
    return np.round(values, DECIMALS) + 0.0  # no negative zeros


def _rank(candidates: Candidates, rules: Sequence[SurvivorshipRule],
          first: Sequence[tuple[str, np.ndarray]], n_clusters: int, *,
          lazy: bool = False) -> _Ranked:
    """Sort each cluster's candidates: ``first`` steps, the rules, then the record key.

    With ``lazy``, a rule is scored only in the clusters the earlier steps leave
    undecided (winner, runner-up and the deciding step not yet fixed); elsewhere its
    column holds ``-inf``. Winner, runner-up and ``decided_by`` are the same as without
    it, but no order is given (``order`` is ``None``): only for rankings that need no
    more.
    """
    if lazy:
        return _rank_lazy(candidates, rules, first, n_clusters)
    n = len(candidates)
    names = [*(name for name, _ in first), *(rule.name for rule in rules)]
    columns = [_clean(s) for _, s in first]
    columns += [_clean(rule.score(candidates)) for rule in rules]
    cluster = candidates.frame["cluster"].to_numpy(dtype=np.int64)
    matrix = _matrix(columns, n)
    rank = candidates.frame["rank"].to_numpy(dtype=np.int64)
    keys = [rank, *(-matrix[:, j] for j in reversed(range(matrix.shape[1]))), cluster]
    order = np.lexsort(keys) if n else np.zeros(0, dtype=np.int64)
    winner = np.full(n_clusters, -1, dtype=np.int64)
    runner = np.full(n_clusters, -1, dtype=np.int64)
    if n:
        sorted_cluster = cluster[order]
        starts = np.flatnonzero(np.r_[True, sorted_cluster[1:] != sorted_cluster[:-1]])
        winner[sorted_cluster[starts]] = order[starts]
        codes = candidates.key_codes
        sorted_codes = codes[order]
        lengths = np.diff(np.r_[starts, n])
        differs = sorted_codes != np.repeat(sorted_codes[starts], lengths)
        positions = np.flatnonzero(differs)
        if len(positions):
            owners, first_of = np.unique(sorted_cluster[positions], return_index=True)
            runner[owners] = order[positions[first_of]]
    return _ranked(candidates, names, matrix, order=order, winner=winner, runner=runner,
                   n_clusters=n_clusters)


def _matrix(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    return np.column_stack(columns) if columns else np.zeros((n, 0), dtype=np.float64)


def _ranked(candidates: Candidates, names: list[str], matrix: np.ndarray, *,
            order: np.ndarray | None, winner: np.ndarray, runner: np.ndarray,
            n_clusters: int) -> _Ranked:
    """The ranking with ``decided_by`` (the first step where winner and runner-up
    differ) and the number of distinct match keys per cluster."""
    decided = np.full(n_clusters, None, dtype=object)
    distinct = np.zeros(n_clusters, dtype=np.int64)
    if len(candidates):
        pairs = unique_pairs(candidates.frame["cluster"].to_numpy(dtype=np.int64),
                             candidates.key_codes)
        distinct = np.bincount(pairs[:, 0], minlength=n_clusters).astype(np.int64)
        decided[winner >= 0] = "only_candidate"
        contested = np.flatnonzero(runner >= 0)
        if len(contested):
            diff = matrix[winner[contested]] != matrix[runner[contested]]
            label = np.array([*names, "record_key"], dtype=object)
            step = np.where(diff.any(axis=1), diff.argmax(axis=1), len(names))
            decided[contested] = label[step]
    return _Ranked(candidates, names, matrix, order, winner, runner, decided, distinct)


def _rank_lazy(candidates: Candidates, rules: Sequence[SurvivorshipRule],
               first: Sequence[tuple[str, np.ndarray]], n_clusters: int) -> _Ranked:
    """:func:`_rank` with ``lazy``: each cluster's winner and runner-up found by keeping,
    step by step, only the candidates tied for best, without sorting.

    Per cluster, ``tied`` holds the candidates tied for best on the steps so far while
    the winner is open; once one candidate is best, it wins, and ``rivals`` holds the
    candidates with another match key tied for best. A cluster is undecided (the next
    rule is scored for it) while either set holds two candidates or more.
    """
    n = len(candidates)
    names = [*(name for name, _ in first), *(rule.name for rule in rules)]
    columns = [_clean(s) for _, s in first]
    cluster = candidates.frame["cluster"].to_numpy(dtype=np.int64)
    codes = candidates.key_codes
    winner = np.full(n_clusters, -1, dtype=np.int64)
    runner = np.full(n_clusters, -1, dtype=np.int64)
    if not n:
        return _ranked(candidates, names, _matrix(columns, n), order=None, winner=winner,
                       runner=runner, n_clusters=n_clusters)
    grouped = np.argsort(cluster, kind="stable")  # every candidate, by cluster
    tied = grouped
    rivals = np.zeros(0, dtype=np.int64)

    def step(new: Sequence[np.ndarray]) -> np.ndarray:
        """Apply new score columns; the clusters still undecided."""
        nonlocal tied, rivals
        tied = _best(tied, cluster, new)
        rivals = _best(rivals, cluster, new)
        counts = np.bincount(cluster[tied], minlength=n_clusters)
        single = counts[cluster[tied]] == 1
        won = tied[single]
        tied = tied[~single]
        if len(won):
            winner[cluster[won]] = won
            members = grouped[_flags(cluster[won], n_clusters)[cluster[grouped]]]
            members = members[codes[members] != codes[winner[cluster[members]]]]
            rivals = np.concatenate([rivals, _best(members, cluster, columns)])
            rivals = rivals[np.argsort(cluster[rivals], kind="stable")]
        open_ = counts >= 2
        open_ |= np.bincount(cluster[rivals], minlength=n_clusters) >= 2
        return open_

    undecided = step(columns)
    for rule in rules:
        active = undecided[cluster]
        if active.all():
            column = _clean(rule.score(candidates))
        else:
            column = np.full(n, -np.inf)
            rows = np.flatnonzero(active)
            if len(rows):
                column[rows] = _clean(rule.score(candidates.subset(rows)))
        columns.append(column)
        if undecided.any():
            undecided = step([column])
    # ties left after every step: the least record key wins (then is runner-up)
    rank = candidates.frame["rank"].to_numpy(dtype=np.int64)
    if len(tied):
        won = _least(tied, cluster, rank)
        winner[cluster[won]] = won
        others = tied[codes[tied] != codes[winner[cluster[tied]]]]
        if len(others):
            runner_rows = _least(others, cluster, rank)
            runner[cluster[runner_rows]] = runner_rows
        rest = np.unique(cluster[tied])
        rest = rest[runner[rest] < 0]
        members = grouped[_flags(rest, n_clusters)[cluster[grouped]]]
        members = members[codes[members] != codes[winner[cluster[members]]]]
        rivals = np.concatenate([rivals, _best(members, cluster, columns)])
        rivals = rivals[np.argsort(cluster[rivals], kind="stable")]
    if len(rivals):
        runner_rows = _least(rivals, cluster, rank)
        runner[cluster[runner_rows]] = runner_rows
    return _ranked(candidates, names, _matrix(columns, n), order=None, winner=winner,
                   runner=runner, n_clusters=n_clusters)


def _flags(codes: np.ndarray, n_clusters: int) -> np.ndarray:
    flags = np.zeros(n_clusters, dtype=bool)
    flags[codes] = True
    return flags


def _best(rows: np.ndarray, cluster: np.ndarray, columns: Sequence[np.ndarray]
          ) -> np.ndarray:
    """Of ``rows`` (grouped by cluster), those with the best value of each column in
    turn within their cluster."""
    for column in columns:
        if not len(rows):
            break
        owner = cluster[rows]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        values = column[rows]
        best = np.maximum.reduceat(values, starts)
        rows = rows[values == np.repeat(best, np.diff(np.r_[starts, len(rows)]))]
    return rows


def _least(rows: np.ndarray, cluster: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Per cluster of ``rows``, its row with the least ``rank`` (record key order)."""
    order = np.lexsort((rank[rows], cluster[rows]))
    owner = cluster[rows][order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    result: np.ndarray = rows[order[starts]]
    return result


def usable_values(records: pd.DataFrame, field: str, rows: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The rows (among ``rows``, if given) whose value of ``field`` can survive (valid or
    invalid, not missing), and their match keys (the value where there is no key)."""
    status = records[f"{field}_status"].to_numpy(dtype=object)
    value = records[field].to_numpy(dtype=object)
    usable = ((status == VALID) | (status == INVALID)) & pd.notna(value)
    if rows is not None:
        keep = np.zeros(len(records), dtype=bool)
        keep[rows] = True
        usable &= keep
    picked = np.flatnonzero(usable)
    if f"{field}_key" in records.columns:
        keys = records[f"{field}_key"].to_numpy(dtype=object)[picked]
        keys = np.where(pd.isna(keys), value[picked], keys)
    else:
        keys = value[picked]
    return picked, keys

# -- the engine --------------------------------------------------------------------------
class Survivorship:
    """Choose a golden value per cluster and field, and say why.

    ``rules`` maps a field to its rule (others use ``default``, else
    :class:`MostFrequent`); ties fall through the rule's ``then`` chain, else
    :data:`DEFAULT_CHAIN` (most frequent, source trust, most recent, closeness to the
    cluster's other values, prevalence), then the record key. ``groups`` are
    :class:`FieldGroup`\\ s whose fields come from one record (``None``: the address
    fields present, ranked by ``default`` if it can rank records, else
    :class:`MostFrequent`; a field given its own rule leaves it; ``()``: none).
    With ``valid_first`` a valid value always beats an invalid one; placeholders and
    missing values never win. Clusters with more than ``max_closeness_values``
    distinct values of a field skip :class:`Closeness`.

    >>> Survivorship({"email": MostRecent()}).rules["email"]
    MostRecent()
    """

    def __init__(self, rules: Mapping[str, SurvivorshipRule] | None = None, *,
                 default: SurvivorshipRule | None = None,
                 groups: Sequence[FieldGroup] | None = None,
                 valid_first: bool = True,
                 max_closeness_values: int = MAX_CLOSENESS_VALUES) -> None:
        self.rules = dict(rules or {})
        self.default = default
        self.groups = groups
        self.valid_first = valid_first
        self.max_closeness_values = max_closeness_values

    def rule_for(self, field: str) -> SurvivorshipRule:
        return self.rules.get(field) or self.default or MostFrequent()

    # -- configuration ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (a :class:`ConfigError` for a :class:`Custom` rule)."""
        return {
            "format": _FORMAT,
            "rules": {f: r.to_dict() for f, r in self.rules.items()},
            "default": self.default.to_dict() if self.default is not None else None,
            "groups": [g.to_dict() for g in self.groups] if self.groups is not None
            else None,
            "valid_first": self.valid_first,
            "max_closeness_values": self.max_closeness_values,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Survivorship:
        """Settings from :meth:`to_dict`; a plain ``{field: rule}`` mapping works too."""
        if not isinstance(data, Mapping):
            raise ConfigError("survivorship settings must be a mapping")
        if data.get("format") != _FORMAT:
            return cls({str(f): rule_from_dict(r) for f, r in data.items()})
        default, groups = data.get("default"), data.get("groups")
        return cls(
            {str(f): rule_from_dict(r) for f, r in (data.get("rules") or {}).items()},
            default=rule_from_dict(default) if default is not None else None,
            groups=[group_from_dict(g) for g in groups] if groups is not None else None,
            valid_first=bool(data.get("valid_first", True)),
            max_closeness_values=int(data.get("max_closeness_values",
                                              MAX_CLOSENESS_VALUES)),
        )

    def _check(self, fields: Sequence[str]) -> None:
        for field in self.rules:
            if field not in ROLES and field not in fields:
                raise ConfigError(f"survivorship rule for unknown field {field!r}")
        if not isinstance(self.valid_first, bool):
            raise ConfigError("valid_first must be True or False")
        limit = self.max_closeness_values
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 2:
            raise ConfigError("max_closeness_values must be an integer of at least 2")
        for rule in [*self.rules.values(), *([self.default] if self.default else [])]:
            if not isinstance(rule, SurvivorshipRule):
                raise ConfigError(f"survivorship rules must be rule specs, not "
                                  f"{type(rule).__name__}")
            rule.check()
        seen: dict[str, str] = {}
        for group in self.groups or ():
            if not isinstance(group, FieldGroup):
                raise ConfigError("groups must be FieldGroup specs")
            group.check()
            for field in group.fields:
                if field not in ROLES and field not in fields:
                    raise ConfigError(f"field group {group.name!r} names unknown field "
                                      f"{field!r}")
                if field in seen:
                    raise ConfigError(f"field {field!r} is in field groups {seen[field]!r} "
                                      f"and {group.name!r}")
                if field in self.rules:
                    raise ConfigError(f"field {field!r} has its own rule and is in field "
                                      f"group {group.name!r}; choose one")
                seen[field] = group.name

    def _plan(self, fields: Sequence[str], extra: Sequence[FieldGroup] = ()) -> list[_Unit]:
        default = self.default if self.default is not None and type(
            self.default).for_groups else None
        groups = list(self.groups) if self.groups is not None else [
            FieldGroup(g.name, tuple(f for f in g.fields if f not in self.rules),
                       default or g.rule)
            for g in DEFAULT_GROUPS]
        units: list[_Unit] = []
        grouped: set[str] = set()
        for group in [*groups, *extra]:
            present = tuple(f for f in group.fields if f in fields)
            if len(present) >= 2:
                units.append(_Unit(present, group.rule, group.name))
                grouped.update(present)
        for field in fields:
            if field not in grouped:
                units.append(_Unit((field,), self.rule_for(field)))
        return units

    def _chain(self, rule: SurvivorshipRule) -> list[SurvivorshipRule]:
        then = rule.then if rule.then is not None else type(rule).default_then
        if then is None:
            then = tuple(r for r in DEFAULT_CHAIN if r.kind != rule.kind)
        return [rule, *then]

    def _valid_first(self, rule: SurvivorshipRule) -> bool:
        return self.valid_first if rule.valid_first is None else rule.valid_first

    # -- running ---------------------------------------------------------------------
    def survive(
        self, records: pd.DataFrame, clusters: np.ndarray | Sequence[Any] | pd.Series,
        fields: Sequence[str], *, pairs: pd.DataFrame | None = None,
        overrides: pd.DataFrame | Mapping[tuple[str, str], Any] | None = None,
        source_trust: Mapping[str, float] | None = None,
        field_stats: Mapping[str, FieldStats] | None = None,
        n_jobs: int | None = 1,
    ) -> SurvivorshipResult:
        """Golden records, lineage, conflicts and confidence for clustered records.

        ``records`` are normalised records (``source``, ``record_key`` and per field
        ``f``, ``f_key``, ``f_status``; ``updated_at`` if any), ``clusters`` one label
        per record. ``pairs`` (scored pairs) give each golden record's confidence;
        ``overrides`` (``golden_id, field, value``) are steward values that win;
        ``source_trust`` is per-source trust (from :class:`~goldenrec.Source`).
        ``field_stats`` (optional) replaces the data-set-wide facts per field (token
        counts, ``as_of``, numeric) with given ones, e.g. frozen when the pipeline was
        fitted, so a subset of clusters ranks as in the run they came from.
        The consent roles (``consent``, ``consent_at``, ``consent_purpose``) become
        ``consent_<purpose>`` and ``consent_<purpose>_at`` per purpose, chosen by
        ``most_recent_consent`` (see :mod:`goldenrec._consent`).
        ``n_jobs`` caps the processes (``None`` or ``-1``: every CPU): from
        :data:`PARALLEL_MIN_RECORDS` records on, the fields are survived in forked
        worker processes (Linux), with the same result as in one.
        The result unpacks as ``golden, lineage, golden_ids``.
        """
        fields = list(fields)
        self._check(fields)
        check_n_jobs(n_jobs)
        for column in ("source", "record_key"):
            if column not in records.columns:
                raise InputError("records need source and record_key columns", column=column)
        cluster_array = np.asarray(clusters)
        if len(cluster_array) != len(records):
            raise InputError("clusters must give one label per record")
        consent = plan_consent(records, fields)  # consent roles → one group per purpose
        records, fields = consent.records, consent.fields
        context = self._context(records, cluster_array, source_trust)
        if field_stats:
            context = dataclasses.replace(
                context, as_of=next(iter(field_stats.values())).as_of,
                frozen_stats=dict(field_stats))
        context.field_recency.update(consent.recency or {})
        context.no_conflicts.update(consent.consent_fields)
        units = self._plan(fields, consent.groups)
        n_clusters = len(context.golden_ids)
        golden = pd.DataFrame({"golden_id": context.golden_ids})
        golden["n_records"] = np.bincount(context.cluster, minlength=n_clusters)
        golden["sources"] = _joined_sources(context.cluster, context.source, n_clusters)
        outcomes, confidence = self._survive_units(context, units, n_jobs, pairs)
        values, lineage_parts, conflict_parts, stats = _assembled(context, outcomes)
        for name in fields:
            golden[name] = pd.Series(values[name], dtype=object)
        # cluster codes follow golden ids: tables built per cluster come out sorted
        lineage = lineage_table(lineage_parts, context.golden_ids, context.golden_rank)
        conflicts = conflict_table(conflict_parts, context.golden_rank)
        table = _override_table(overrides, fields)
        sorted_lineage = lineage
        golden, lineage, conflicts, unused = _apply_overrides(
            golden, lineage, conflicts, table, context)
        if lineage is not sorted_lineage:  # override rows were added
            lineage = lineage.sort_values(["golden_id", "field", "position"],
                                          kind="mergesort").reset_index(drop=True)
        if confidence is None:
            confidence = _confidence(context, pairs)
        golden["confidence"] = confidence["confidence"].to_numpy()
        golden = golden[["golden_id", *fields, "n_records", "sources", "confidence"]]
        record_golden = pd.Series(context.golden_ids[context.cluster], index=records.index,
                                  dtype=object)
        logger.info("survived %d golden records, %d fields, %d conflicts, %d overrides",
                    len(golden), len(fields), len(conflicts), len(table) - len(unused))
        explainer = _Explainer(self, context, {f: u for u in units for f in u.fields},
                               stats, pairs)
        return SurvivorshipResult(golden=golden, lineage=lineage, conflicts=conflicts,
                                  golden_ids=record_golden, confidence=confidence,
                                  unused_overrides=unused, explainer=explainer)

    def _survive_units(self, context: _Context, units: Sequence[_Unit],
                       n_jobs: int | None, pairs: pd.DataFrame | None
                       ) -> tuple[list[_Outcome], pd.DataFrame | None]:
        """Each unit's outcome, in order; for many records, computed in worker
        processes together with the clusters' confidence (else that is ``None``)."""
        workers = (worker_count(n_jobs) if len(context.records) >= PARALLEL_MIN_RECORDS
                   else 1)
        if workers > 1 and len(units) > 1:
            # the costliest first, so the workers finish at about the same time; the
            # confidence (last task) costs about as much as ranking a value per record
            costs = [*(_unit_cost(context.records, unit) for unit in units),
                     len(context.records)]
            order = sorted(range(len(costs)), key=lambda i: -costs[i])

            def task(i: int) -> Any:
                if order[i] == len(units):
                    return _confidence(context, pairs)
                return _packed(self._survive_unit(context, units[order[i]]))

            try:
                found = fork_map(task, len(order), workers)
            except Exception as error:  # a broken pool must not stop a run
                logger.warning("worker processes failed (%s); surviving in one process",
                             type(error).__name__)
            else:
                by_task = dict(zip(order, found))
                confidence: pd.DataFrame = by_task[len(units)]
                return [_unpacked(by_task[i]) for i in range(len(units))], confidence
        return [self._survive_unit(context, unit) for unit in units], None

    def _survive_unit(self, context: _Context, unit: _Unit) -> _Outcome:
        """One unit's golden values, lineage, conflicts and field statistics."""
        try:
            stats = {name: self._stats(context, name, unit) for name in unit.fields}
            if unit.group is not None:
                outcome = self._survive_group(context, unit, stats)
            elif isinstance(unit.rule, Aggregate):
                outcome = self._survive_list(context, unit, stats[unit.fields[0]])
            else:
                outcome = self._survive_field(context, unit, stats[unit.fields[0]])
        finally:
            context.frames.clear()  # candidate frames are reused within a unit only
            context.factorized.clear()
        return dataclasses.replace(outcome, stats=stats)

    def _context(self, records: pd.DataFrame, clusters: np.ndarray,
                 source_trust: Mapping[str, float] | None) -> _Context:
        n = len(records)
        source = _as_text(records["source"])
        key = _as_text(records["record_key"])
        order = np.lexsort((key, source)) if n else np.zeros(0, dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        codes, uniques = pd.factorize(clusters, sort=True)
        if n and (codes < 0).any():
            raise InputError("every record needs a cluster label")
        codes = np.asarray(codes, dtype=np.int64)
        n_clusters = len(uniques)
        first_rank = np.full(n_clusters, n, dtype=np.int64)
        np.minimum.at(first_rank, codes, rank)
        representative = order[first_rank] if n else np.zeros(0, dtype=np.int64)
        golden_ids = _golden_ids(source[representative], key[representative])
        # number the clusters in golden id order (equal ids: in label order)
        by_id = np.argsort(golden_ids.astype(str), kind="stable")
        renumber = np.empty(n_clusters, dtype=np.int64)
        renumber[by_id] = np.arange(n_clusters)
        codes = renumber[codes]
        golden_ids = golden_ids[by_id]
        golden_rank = np.zeros(n_clusters, dtype=np.int64)
        if n_clusters:
            golden_rank[1:] = np.cumsum(golden_ids[1:] != golden_ids[:-1])
        recency = _recency(records)
        valid = recency[~np.isnan(recency)]
        as_of = float(valid.max()) if len(valid) else float("nan")
        return _Context(records, source, key, rank, codes, golden_ids, golden_rank,
                        recency, as_of, dict(source_trust or {}))

    def _stats(self, context: _Context, field: str, unit: _Unit) -> FieldStats:
        """Data-set-wide facts about a field, computed only when the unit's rules need them."""
        if field in context.frozen_stats:
            return dataclasses.replace(
                context.frozen_stats[field], field=field, as_of=context.as_of,
                source_trust=context.source_trust,
                max_closeness_values=self.max_closeness_values)
        rule = unit.rule.ranking if isinstance(unit.rule, Aggregate) else unit.rule
        chain = self._chain(rule)
        frame = self._candidate_frame(context, field, None)
        keys = frame["match_key"].to_numpy(dtype=object)
        counts = (token_counts(frame["cluster"].to_numpy(), keys,
                               self._factorized(context, field))
                  if any(isinstance(r, Prevalence) for r in chain)
                  else pd.Series(dtype=np.int64))
        numeric = (any(isinstance(r, (Minimum, Maximum)) for r in chain)
                   and _all_numeric(keys))
        return FieldStats(field, counts, context.as_of, numeric, context.source_trust,
                          self.max_closeness_values)

    def _candidates(self, context: _Context, field: str, stats: FieldStats,
                    rows: np.ndarray | None) -> Candidates:
        """A field's candidates (among ``rows``), with the match key codes of the run
        when all candidates are taken."""
        frame = self._candidate_frame(context, field, rows)
        if rows is not None:
            return Candidates(frame, stats)
        codes = np.asarray(self._factorized(context, field)[0], dtype=np.int64)
        return Candidates(frame, stats, {"key_codes": codes})

    def _factorized(self, context: _Context, field: str) -> tuple[np.ndarray, np.ndarray]:
        if field not in context.factorized:
            frame = self._candidate_frame(context, field, None)
            context.factorized[field] = pd.factorize(frame["match_key"].to_numpy(dtype=object))
        return context.factorized[field]

    @staticmethod
    def _candidate_frame(context: _Context, field: str, rows: np.ndarray | None
                         ) -> pd.DataFrame:
        if rows is None and field in context.frames:
            return context.frames[field]
        records = context.records
        for column in (field, f"{field}_status"):
            if column not in records.columns:
                raise InputError("records lack a normalised column", column=column)
        status = records[f"{field}_status"].to_numpy(dtype=object)
        value = records[field].to_numpy(dtype=object)
        picked, match_key = usable_values(records, field, rows)
        frame = pd.DataFrame({
            "cluster": context.cluster[picked], "row": picked,
            "value": pd.Series(value[picked], dtype=object),
            "match_key": pd.Series(match_key, dtype=object),
            "status": pd.Series(status[picked], dtype=object),
            "n_invalid": (status[picked] == INVALID).astype(np.int64),
            "source": pd.Series(context.source[picked], dtype=object),
            "record_key": pd.Series(context.key[picked], dtype=object),
            "rank": context.rank[picked], "recency": context.recency_for(field)[picked],
        }, copy=False)
        if rows is None:
            context.frames[field] = frame
        result: pd.DataFrame = frame
        return result

    def _field_ranking(self, context: _Context, unit: _Unit, stats: FieldStats,
                       rows: np.ndarray | None = None, *, lazy: bool = False) -> _Ranked:
        rule = unit.rule.ranking if isinstance(unit.rule, Aggregate) else unit.rule
        candidates = self._candidates(context, unit.fields[0], stats, rows)
        first: list[tuple[str, np.ndarray]] = []
        if self._valid_first(unit.rule):
            first.append(("valid_over_invalid", -candidates.n_invalid))
        chain = self._chain(rule)
        lazy = lazy and not any(isinstance(r, Custom) for r in chain)
        return _rank(candidates, chain, first, len(context.golden_ids), lazy=lazy)

    def _survive_field(self, context: _Context, unit: _Unit, stats: FieldStats
                       ) -> _Outcome:
        name = unit.fields[0]
        ranked = self._field_ranking(context, unit, stats, lazy=True)
        frame = ranked.candidates.frame
        has = np.flatnonzero(ranked.winner >= 0)
        rows = ranked.winner[has]
        winners = np.full(len(context.golden_ids), -1, dtype=np.int64)
        winners[has] = frame["row"].to_numpy(dtype=np.int64)[rows]
        lineage = self._lineage(context, ranked, name, has, rule=unit.rule.name,
                                group=None)
        golden_keys = np.full(len(context.golden_ids), None, dtype=object)
        golden_keys[has] = frame["match_key"].to_numpy(dtype=object)[rows]
        conflicts = _conflicts(ranked.candidates, name, context, golden_keys)
        return _Outcome({}, {name: winners}, [lineage], [conflicts])

    @staticmethod
    def _lineage(context: _Context, ranked: _Ranked, field: str, clusters: np.ndarray, *,
                 rule: str, group: str | None) -> RecordLineage:
        """One lineage row per cluster in ``clusters`` (the winner's value of a field)."""
        frame = ranked.candidates.frame
        rows = ranked.winner[clusters]
        frame_rows = frame["row"].to_numpy(dtype=np.int64)
        runner = ranked.runner_up[clusters]
        runner_rows = np.full(len(clusters), -1, dtype=np.int64)
        has_runner = runner >= 0
        runner_rows[has_runner] = frame_rows[runner[has_runner]]
        return RecordLineage(field, clusters, frame_rows[rows], runner_rows, {
            "rule": rule, "decided_by": ranked.decided_by[clusters],
            "n_candidates": ranked.n_candidates[clusters].astype(np.int64),
            "support": ranked.candidates.support[rows].astype(np.int64),
            "position": np.zeros(len(clusters), dtype=np.int64),
            "group": np.full(len(clusters), group, dtype=object),
        })

    def _survive_list(self, context: _Context, unit: _Unit, stats: FieldStats
                      ) -> _Outcome:
        name = unit.fields[0]
        rule = unit.rule
        assert isinstance(rule, Aggregate)
        ranked = self._field_ranking(context, unit, stats)
        frame = ranked.candidates.frame
        order = ranked.order
        assert order is not None  # an eager ranking
        cluster = frame["cluster"].to_numpy(dtype=np.int64)[order]
        codes = ranked.candidates.key_codes[order]
        keep = ~pd.DataFrame({"c": cluster, "k": codes}).duplicated().to_numpy()
        if self._valid_first(rule):
            invalid = ranked.candidates.n_invalid[order] > 0
            has_valid = np.zeros(len(context.golden_ids), dtype=bool)
            has_valid[cluster[~invalid]] = True
            keep &= ~(invalid & has_valid[cluster])
        kept = order[keep]
        kept_cluster = cluster[keep]
        position = pd.Series(kept_cluster).groupby(kept_cluster).cumcount().to_numpy()
        if rule.max_values is not None:
            limit = position < rule.max_values
            kept, kept_cluster, position = kept[limit], kept_cluster[limit], position[limit]
        record_rows = frame["row"].to_numpy(dtype=np.int64)[kept]
        # the golden lists are the lineage values of each cluster, in position order
        lineage = RecordLineage(name, kept_cluster, record_rows,
                                np.full(len(kept), -1, dtype=np.int64), {
            "rule": rule.name, "decided_by": rule.name,
            "n_candidates": ranked.n_candidates[kept_cluster].astype(np.int64),
            "support": ranked.candidates.support[kept].astype(np.int64),
            "position": position.astype(np.int64),
            "group": np.full(len(kept), None, dtype=object),
        })
        return _Outcome({}, {}, [lineage], [])

    def _group_ranking(self, context: _Context, unit: _Unit, stats: Mapping[str, FieldStats],
                       rows: np.ndarray | None = None) -> tuple[_Ranked, list[Candidates]]:
        parts = [self._candidates(context, f, stats[f], rows) for f in unit.fields]
        n = len(context.records)
        present = np.zeros(n, dtype=bool)
        for part in parts:
            present[part.frame["row"].to_numpy(dtype=np.int64)] = True
        picked = np.flatnonzero(present)
        position = np.full(n, -1, dtype=np.int64)
        position[picked] = np.arange(len(picked))
        sums = {name: np.zeros(len(picked), dtype=np.float64)
                for name in ("count", "length", "closeness", "prevalence")}
        n_valid = np.zeros(len(picked), dtype=np.float64)
        n_invalid = np.zeros(len(picked), dtype=np.float64)
        outvoted = np.zeros(len(picked), dtype=np.float64)
        keys = [np.full(len(picked), "", dtype=object) for _ in parts]
        values = np.full((len(picked), len(parts)), None, dtype=object)
        chain = self._chain(unit.rule)
        needed = {name for name, kinds in (
            ("count", (MostFrequent, Custom)), ("length", (Longest, Shortest)),
            ("closeness", (Closeness,)), ("prevalence", (Prevalence,)))
            if any(isinstance(r, kinds) for r in chain)}
        for j, part in enumerate(parts):
            at = position[part.frame["row"].to_numpy(dtype=np.int64)]
            for name, total in sums.items():
                if name in needed:
                    total[at] += getattr(part, name)
            invalid = part.n_invalid
            n_invalid[at] += invalid
            n_valid[at] += 1.0 - invalid
            # an invalid value loses to a valid one of the same field in the cluster
            part_cluster = part.frame["cluster"].to_numpy(dtype=np.int64)
            has_valid = np.zeros(len(context.golden_ids), dtype=bool)
            has_valid[part_cluster[invalid == 0]] = True
            outvoted[at] += invalid * has_valid[part_cluster]
            keys[j][at] = _as_text(part.frame["match_key"])
            values[at, j] = part.frame["value"].to_numpy(dtype=object)
        match_key = _combined_codes(keys, len(picked))
        frame = pd.DataFrame({
            "cluster": context.cluster[picked], "row": picked,
            "value": pd.Series(list(zip(*values.T)) if parts else [], dtype=object),
            "match_key": pd.Series(match_key, dtype=object),
            "status": pd.Series(np.where(n_invalid > 0, INVALID, VALID), dtype=object),
            "n_invalid": n_invalid.astype(np.int64),
            "source": pd.Series(context.source[picked], dtype=object),
            "record_key": pd.Series(context.key[picked], dtype=object),
            "rank": context.rank[picked],
            "recency": context.recency_for(unit.fields[0])[picked],
        }, copy=False)
        group_stats = FieldStats(unit.group or "", stats[unit.fields[0]].token_counts,
                                 context.as_of, False, context.source_trust,
                                 self.max_closeness_values)
        candidates = Candidates(frame, group_stats, sums)
        first: list[tuple[str, np.ndarray]] = []
        if self._valid_first(unit.rule):
            first.append(("valid_over_invalid", -outvoted))
            first.append(("most_complete", n_valid * float(len(parts) + 1) - n_invalid))
        else:
            first.append(("most_complete", n_valid + n_invalid))
        # the whole run needs winners and runners-up only; an explanation, the order
        lazy = rows is None and not any(isinstance(r, Custom) for r in chain)
        ranked = _rank(candidates, chain, first, len(context.golden_ids), lazy=lazy)
        return ranked, parts

    def _survive_group(self, context: _Context, unit: _Unit,
                       stats: Mapping[str, FieldStats]) -> _Outcome:
        ranked, parts = self._group_ranking(context, unit, stats)
        has = np.flatnonzero(ranked.winner >= 0)
        record_rows = ranked.candidates.frame["row"].to_numpy(dtype=np.int64)[
            ranked.winner[has]]
        out: dict[str, np.ndarray] = {}
        lineage_parts: list[RecordLineage] = []
        conflict_parts: list[_ConflictRows] = []
        records = context.records
        for field, part in zip(unit.fields, parts):
            status = records[f"{field}_status"].to_numpy(dtype=object)[record_rows]
            value = records[field].to_numpy(dtype=object)[record_rows]
            usable = ((status == VALID) | (status == INVALID)) & pd.notna(value)
            if self._valid_first(unit.rule):
                # no record may be valid everywhere: leave an outvoted invalid value
                # empty rather than take a valid one from another record
                has_valid = np.zeros(len(context.golden_ids), dtype=bool)
                valid_rows = (part.frame["status"] == VALID).to_numpy()
                has_valid[part.frame["cluster"].to_numpy(dtype=np.int64)[valid_rows]] = True
                usable &= ~((status == INVALID) & has_valid[has])
            winners = np.full(len(context.golden_ids), -1, dtype=np.int64)
            winners[has[usable]] = record_rows[usable]
            out[field] = winners
            lineage = self._lineage(context, ranked, field, has[usable],
                                    rule=unit.rule.name, group=unit.group)
            # support and candidates of a grouped value count the field's own keys
            field_support = _support_of(part, record_rows[usable])
            lineage = dataclasses.replace(lineage, columns={**lineage.columns,
                                                            "support": field_support})
            lineage_parts.append(lineage)
            golden_keys = np.full(len(context.golden_ids), None, dtype=object)
            key_column = f"{field}_key" if f"{field}_key" in records.columns else field
            keys = records[key_column].to_numpy(dtype=object)[record_rows]
            keys = np.where(pd.isna(keys), value, keys)
            golden_keys[has[usable]] = keys[usable]
            conflict_parts.append(_conflicts(part, field, context, golden_keys))
        return _Outcome({}, out, lineage_parts, conflict_parts)

    # -- explanations ----------------------------------------------------------------
    def _ranked_cluster(self, explainer: _Explainer, code: int, field: str
                        ) -> tuple[pd.DataFrame, np.ndarray]:
        """One cluster's candidates of a field, ranked as in the full run."""
        context = explainer.context
        unit = explainer.units[field]
        rows = np.flatnonzero(context.cluster == code)
        if unit.group is not None:
            ranked, _ = self._group_ranking(context, unit, explainer.stats, rows)
        else:
            ranked = self._field_ranking(context, unit, explainer.stats[field], rows)
        assert ranked.order is not None  # an eager ranking
        table = explain_candidates(ranked.candidates.frame, ranked.scores, ranked.steps,
                                   ranked.order, records=context.records, field=field)
        return table, rows


@dataclass(frozen=True, eq=False)
class _Explainer:
    engine: Survivorship
    context: _Context
    units: dict[str, _Unit]
    stats: dict[str, FieldStats]
    pairs: pd.DataFrame | None


@dataclass(frozen=True, eq=False)
class SurvivorshipResult:
    """What :meth:`Survivorship.survive` returns.

    - ``golden``: one row per customer: ``golden_id``, the fields, ``n_records``,
      ``sources``, ``confidence``.
    - ``lineage``: one row per golden value (:data:`LINEAGE_COLUMNS`).
    - ``conflicts``: per golden record and field with several valid values, one row
      per distinct value (``value, match_key, n_records, sources, record_keys,
      is_golden``).
    - ``golden_ids``: the golden id of each input record (same index as the records).
    - ``confidence``: per golden record, how strongly its records are linked.
    - ``unused_overrides``: overrides whose golden id no longer exists.

    It unpacks as ``golden, lineage, golden_ids`` (the older return value).
    """

    golden: pd.DataFrame
    lineage: pd.DataFrame
    conflicts: pd.DataFrame
    golden_ids: pd.Series
    confidence: pd.DataFrame
    unused_overrides: pd.DataFrame
    explainer: _Explainer = dataclasses.field(repr=False)

    def explain_value(self, golden_id: str, field: str,
                      pairs: pd.DataFrame | None = None) -> ValueExplanation:
        """Why a golden value won: its ranked candidates with every step's score, and
        the scored pairs (``pairs``, else those given to ``survive``) that link the
        winning record to the rest of its customer."""
        explainer = self.explainer
        context = explainer.context
        matches = np.flatnonzero(context.golden_ids == golden_id)
        if len(matches) == 0:
            raise InputError("no such golden record", column="golden_id")
        unit = explainer.units.get(field)
        if unit is None:
            raise InputError("no such golden field", column=field)
        table, rows = explainer.engine._ranked_cluster(explainer, int(matches[0]), field)
        lineage = self.lineage[(self.lineage["golden_id"] == golden_id)
                               & (self.lineage["field"] == field)]
        golden = self.golden.loc[self.golden["golden_id"] == golden_id, field]
        value = golden.iloc[0] if len(golden) else None
        record: tuple[str, str] | None = None
        rule, decided_by = unit.rule.name, "no_candidate"
        if len(lineage):
            top = lineage.iloc[0]
            rule, decided_by = str(top["rule"]), str(top["decided_by"])
            if top["record_key"] is not None and not pd.isna(top["record_key"]):
                record = (str(top["source"]), str(top["record_key"]))
        edges = winner_edges(context.source, context.key, rows, record,
                             pairs if pairs is not None else explainer.pairs)
        return ValueExplanation(golden_id=golden_id, field=field, value=value, rule=rule,
                                decided_by=decided_by, group=unit.group, record=record,
                                candidates=table, edges=edges)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.golden, self.lineage, self.golden_ids))

    def __getitem__(self, index: int) -> Any:
        return (self.golden, self.lineage, self.golden_ids)[index]

    def __len__(self) -> int:
        return 3


# -- helpers -----------------------------------------------------------------------------
def _recency(records: pd.DataFrame) -> np.ndarray:
    """Seconds since 1970 of each record's valid ``updated_at`` (NaN when unknown)."""
    n = len(records)
    if "updated_at" not in records.columns:
        return np.full(n, np.nan, dtype=np.float64)
    values = records["updated_at"]
    if "updated_at_status" in records.columns:
        values = values.where(records["updated_at_status"] == VALID)
    stamps = pd.to_datetime(values.astype(object), errors="coerce", utc=True,
                            format="ISO8601")
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    result: np.ndarray = seconds.to_numpy(dtype=np.float64, na_value=np.nan)
    return result


def _joined_sources(cluster: np.ndarray, source: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per cluster, its distinct sources joined with ``;`` in name order."""
    codes, names = pd.factorize(source, sort=True)
    out = np.full(n_clusters, "", dtype=object)
    if not len(codes):
        return out
    labels = np.asarray(names, dtype=object).tolist()
    if len(labels) <= 62:  # each cluster's set of sources as bits: one text per set
        bits = np.zeros(n_clusters, dtype=np.int64)
        np.bitwise_or.at(bits, cluster, np.left_shift(1, codes.astype(np.int64)))
        sets, inverse = np.unique(bits, return_inverse=True)
        texts = np.array([";".join(labels[i] for i in range(len(labels)) if int(b) >> i & 1)
                          for b in sets.tolist()], dtype=object)
        out = texts[inverse.ravel()]
        out[bits == 0] = ""
        return out
    pairs = unique_pairs(cluster, codes)
    joined = np.asarray(names, dtype=object)[pairs[:, 1]].tolist()
    starts = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]])
    ends = [*starts[1:].tolist(), len(joined)]
    out[pairs[starts, 0]] = [";".join(joined[a:b]) for a, b in zip(starts.tolist(), ends)]
    return out


def _as_text(column: pd.Series) -> np.ndarray:
    """``column.astype(str)`` as an object array (without converting texts)."""
    values: np.ndarray = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        copied: np.ndarray = values.copy()  # not a view of the caller's frame
        return copied
    result: np.ndarray = column.astype(str).to_numpy(dtype=object)
    return result


def _all_numeric(keys: np.ndarray) -> bool:
    """Whether every key reads as a number (checked on distinct keys, stopping early)."""
    distinct = pd.unique(pd.Series(keys, dtype=object))
    if not len(distinct):
        return False
    for start in range(0, len(distinct), 10_000):
        chunk = pd.Series(distinct[start:start + 10_000], dtype=object)
        if pd.to_numeric(chunk, errors="coerce").isna().any():
            return False
    return True


def _conflicts(candidates: Candidates, field: str, context: _Context,
               golden_keys: np.ndarray) -> _ConflictRows:
    """Conflicting values of a field (and their cluster codes); update timestamps
    always differ, so never."""
    if field in NO_CONFLICTS or field in context.no_conflicts:
        return _empty_frame(CONFLICT_COLUMNS), np.zeros(0, dtype=np.int64)
    return conflict_rows(candidates.frame, field, context.golden_ids, golden_keys,
                         golden_rank=context.golden_rank, key_codes=candidates.key_codes)


def _assembled(context: _Context, outcomes: Sequence[_Outcome]
               ) -> tuple[dict[str, np.ndarray], list[LineageRows], list[_ConflictRows],
                          dict[str, FieldStats]]:
    """The units' outcomes as golden values per field, lineage rows, conflict rows and
    field statistics (in unit order)."""
    values: dict[str, np.ndarray] = {}
    lineage_parts: list[LineageRows] = []
    conflict_parts: list[_ConflictRows] = []
    stats: dict[str, FieldStats] = {}
    for outcome in outcomes:
        stats.update(outcome.stats)
        # each field's record values, taken once for its lineage and its golden values
        column = {name: context.records[name].to_numpy(dtype=object)
                  for name in {*outcome.winners, *(part.field for part in outcome.lineage)}}
        for part in outcome.lineage:
            rows = part.lineage_rows(column[part.field], context.source, context.key)
            lineage_parts.append(rows)
            if part.field not in outcome.winners:  # a list: the lineage values
                values[part.field] = _lists(rows, len(context.golden_ids))
        for name, winners in outcome.winners.items():
            values[name] = values_at(column[name], winners)
        conflict_parts.extend(outcome.conflicts)
    return values, lineage_parts, conflict_parts, stats


def _confidence(context: _Context, pairs: pd.DataFrame | None) -> pd.DataFrame:
    return cluster_confidence(context.source, context.key, context.cluster,
                              context.golden_ids, pairs)


def _lists(lineage: LineageRows, n_clusters: int) -> np.ndarray:
    """Per cluster, the list of its lineage values (of a list field), in row order."""
    chosen = np.full(n_clusters, None, dtype=object)
    values = pd.Series(lineage.columns["value"], dtype=object)
    for code, items in values.groupby(np.asarray(lineage.cluster, dtype=np.int64)):
        chosen[int(code)] = list(items)
    return chosen


def _unit_cost(records: pd.DataFrame, unit: _Unit) -> int:
    """A rough weight of a unit for scheduling: its values to rank."""
    return sum(int(records[f].notna().sum()) for f in unit.fields if f in records.columns)


# -- sending outcomes between processes ----------------------------------------------
@dataclass(frozen=True, eq=False)
class _Sent:
    """An :class:`_Outcome` packed to travel from a worker process."""

    stats: dict[str, tuple[FieldStats, Any]]
    winners: dict[str, Any]
    lineage: list[tuple[str, Any, Any, Any, dict[str, Any]]]
    conflicts: list[_ConflictRows]


def _packed(outcome: _Outcome) -> _Sent:
    empty = pd.Series(dtype=np.int64)
    return _Sent(
        {f: (dataclasses.replace(s, token_counts=empty), compact_counts(s.token_counts))
         for f, s in outcome.stats.items()},
        {f: compact(w) for f, w in outcome.winners.items()},
        [(p.field, compact(p.cluster), compact(p.rows), compact(p.runner_rows),
          {k: compact(v) for k, v in p.columns.items()}) for p in outcome.lineage],
        outcome.conflicts)


def _unpacked(sent: _Sent) -> _Outcome:
    return _Outcome(
        {f: dataclasses.replace(s, token_counts=expanded_counts(c))
         for f, (s, c) in sent.stats.items()},
        {f: expanded(w) for f, w in sent.winners.items()},
        [RecordLineage(field, expanded(cluster), expanded(rows), expanded(runner),
                       {k: expanded(v) for k, v in columns.items()})
         for field, cluster, rows, runner, columns in sent.lineage],
        sent.conflicts)


def _combined_codes(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    """A code per distinct row of equal-length text ``columns``, numbered in order of
    first appearance (as ``DataFrame.groupby(sort=False).ngroup()`` numbers them).

    >>> _combined_codes([np.array(["b", "a", "b"], dtype=object),
    ...                  np.array(["x", "x", "x"], dtype=object)], 3).tolist()
    [0, 1, 0]
    """
    combined = np.zeros(n, dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    return np.asarray(combined, dtype=np.int64)


def _support_of(part: Candidates, record_rows: np.ndarray) -> np.ndarray:
    where = pd.Series(np.arange(len(part)), index=part.frame["row"].to_numpy())
    at = where.reindex(record_rows).to_numpy()
    result: np.ndarray = part.support[at.astype(np.int64)].astype(np.int64)
    return result


def _concat(parts: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        result: pd.DataFrame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return result
    out: pd.DataFrame = pd.concat(parts, ignore_index=True)[list(columns)]
    return out


def _override_table(overrides: pd.DataFrame | Mapping[tuple[str, str], Any] | None,
                    fields: Sequence[str]) -> dict[tuple[str, str], Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, pd.DataFrame):
        missing = [c for c in OVERRIDE_COLUMNS if c not in overrides.columns]
        if missing:
            raise InputError(f"overrides need columns {OVERRIDE_COLUMNS}; missing {missing}")
        items = list(zip(zip(overrides["golden_id"].astype(str),
                             overrides["field"].astype(str)), overrides["value"]))
    elif isinstance(overrides, Mapping):
        items = [((str(k[0]), str(k[1])), v) for k, v in overrides.items()]
    else:
        raise InputError("overrides must be a DataFrame or a mapping")
    table: dict[tuple[str, str], Any] = {}
    for (golden_id, name), value in items:
        if name not in fields:
            raise InputError("an override names a field that does not survive", column=name)
        if (golden_id, name) in table:
            raise InputError("two overrides for one golden value", column=name)
        table[(golden_id, name)] = None if _is_missing(value) else value
    return table


def _is_missing(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _apply_overrides(golden: pd.DataFrame, lineage: pd.DataFrame, conflicts: pd.DataFrame,
                     table: Mapping[tuple[str, str], Any], context: _Context
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Steward values win: golden cells replaced, lineage rule ``manual_override``."""
    unused_rows: list[dict[str, str]] = []
    if not table:
        return golden, lineage, conflicts, _empty_frame(["golden_id", "field"])
    position = {g: i for i, g in enumerate(golden["golden_id"])}
    candidates = lineage.groupby(["golden_id", "field"], sort=False)["n_candidates"].first()
    columns = {name: golden[name].to_numpy(dtype=object).copy()
               for name in {name for _, name in table}}
    new_rows: list[dict[str, Any]] = []
    replaced: list[tuple[str, str]] = []
    for (golden_id, name), value in sorted(table.items(), key=lambda item: item[0]):
        if golden_id not in position:
            unused_rows.append({"golden_id": golden_id, "field": name})
            continue
        replaced.append((golden_id, name))
        at = position[golden_id]
        before = columns[name][at]
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        columns[name][at] = items if isinstance(value, (list, tuple)) else value
        n_candidates = int(candidates.get((golden_id, name), 0))
        for i, item in enumerate(items):
            new_rows.append({
                "golden_id": golden_id, "field": name, "value": item, "source": None,
                "record_key": None, "rule": MANUAL_OVERRIDE, "decided_by": MANUAL_OVERRIDE,
                "n_candidates": n_candidates, "runner_up": before if i == 0 else None,
                "support": 0, "position": i, "group": None,
            })
    golden = golden.assign(**{name: pd.Series(values, index=golden.index, dtype=object)
                              for name, values in columns.items()})
    if replaced:
        keys = pd.MultiIndex.from_arrays([lineage["golden_id"], lineage["field"]])
        lineage = _concat([lineage[~keys.isin(replaced)],
                           pd.DataFrame(new_rows, columns=LINEAGE_COLUMNS)], LINEAGE_COLUMNS)
        if len(conflicts):
            keys = pd.MultiIndex.from_arrays([conflicts["golden_id"], conflicts["field"]])
            hit = keys.isin(replaced)
            same = np.array([bool(hit[i]) and value == table[(g, f)] for i, (g, f, value)
                             in enumerate(zip(conflicts["golden_id"], conflicts["field"],
                                              conflicts["value"]))], dtype=bool)
            conflicts = conflicts.assign(is_golden=np.where(
                hit, same, conflicts["is_golden"].to_numpy(dtype=bool)))
    if unused_rows:
        logger.warning("%d override(s) name golden ids that no longer exist",
                       len(unused_rows))
    return golden, lineage, conflicts, pd.DataFrame(unused_rows, columns=["golden_id", "field"])


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    frame: pd.DataFrame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame
