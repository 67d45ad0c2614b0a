"""The pipeline: schema mapping → normalise → block → compare → score → cluster → survive."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from goldenrec._auto_fields import infer_extra_fields
from goldenrec._blocking import (
    Blocker,
    BlockingRule,
    BlockingStrategy,
    KeyCache,
    RulePairs,
    SortedNeighbourhood,
    TokenBlocking,
    blocking_from_dict,
)
from goldenrec._clustering import ConnectedComponents, Constraint, WeightedClustering
from goldenrec._comparisons import Comparator, Comparison, comparison_from_dict
from goldenrec._defaults import choose_blocking_rules, default_comparisons, usable_fields
from goldenrec._frozen import FrozenState
from goldenrec._normalise._base import VALID, Normaliser
from goldenrec._normalise._records import (
    DEFAULT_FREQUENCY,
    FrequencyLimits,
    NormalisedRecords,
    RecordNormaliser,
)
from goldenrec._normalise._registry import normaliser_from_dict, normaliser_to_dict
from goldenrec._result import Result
from goldenrec._roles import Field
from goldenrec._schema import SchemaMapper, Source
from goldenrec._scoring import FellegiSunter, Scorer, choose_threshold, random_pairs
from goldenrec._survivorship import Survivorship, SurvivorshipRule, rule_from_dict
from goldenrec._text_columns import text_column
from goldenrec._training import person_evidence, session_m, sessions_for
from goldenrec._validation import (
    check_fitted_model,
    check_pipeline_dict,
    load_json,
    read_limited,
)
from goldenrec.errors import ConfigError, InputError, NotFittedError, SerialisationError

__all__ = ["Pipeline", "Progress", "resolve"]

logger = logging.getLogger(__name__)

FORMAT = "goldenrec.pipeline"
FORMAT_VERSION = 1
#: Called with ``(stage name, stage number, number of stages)``.
Progress = Callable[[str, int, int], None]
STAGES = ("map", "normalise", "block", "compare", "score", "cluster", "survive")
Data = pd.DataFrame | Mapping[str, pd.DataFrame]
_SAVABLE_BLOCKING = (BlockingRule, SortedNeighbourhood, TokenBlocking)


class Pipeline:
    """A configured (and, after :meth:`fit`, fitted) record-resolution pipeline.

    Everything is optional: with no arguments goldenrec infers roles from column names,
    chooses normalisers, blocking rules and comparisons for the roles present, fits a
    Fellegi–Sunter model by EM and picks the clustering threshold from the model's own
    expected precision and recall.

    >>> import pandas as pd
    >>> crm = pd.DataFrame({"id": ["1", "2"], "first_name": ["Ann", "Bob"],
    ...                     "last_name": ["Lee", "Ray"], "email": ["ann@x.org", "b@y.org"]})
    >>> shop = pd.DataFrame({"id": ["a"], "first_name": ["Anne"], "last_name": ["Lee"],
    ...                      "email": ["ANN@x.org"]})
    >>> result = Pipeline().resolve({"crm": crm, "shop": shop})
    >>> len(result.xref), result.golden.columns[0]
    (3, 'golden_id')
    """

    def __init__(
        self,
        sources: Sequence[Source] | None = None,
        *,
        source_column: str | None = None,
        key: str | None = None,
        normalisers: Mapping[str, Normaliser] | None = None,
        blocking_rules: Sequence[BlockingRule | BlockingStrategy] | None = None,
        comparisons: Sequence[Comparison] | None = None,
        threshold: float | str = "auto",
        survivorship: Mapping[str, SurvivorshipRule] | Survivorship | None = None,
        scorer: Scorer | None = None,
        fields: Sequence[Field] | None = None,
        auto_fields: bool = True,
        frequency: FrequencyLimits | None = DEFAULT_FREQUENCY,
        n_jobs: int | None = None,
        clustering: str = "weighted",
        cannot_link: Sequence[str] = (),
        must_link: Sequence[BlockingRule] = (),
        max_pairs: int = 50_000_000,
        max_block_size: int | None = None,
        u_sample_size: int = 300_000,
        em_max_iter: int = 100,
        seed: int = 42,
        engine: str = "local",
    ) -> None:
        self.sources = sources
        self.source_column = source_column
        self.key = key
        self.normalisers = normalisers
        self.blocking_rules = blocking_rules
        self.comparisons = comparisons
        self.threshold = threshold
        self.survivorship = survivorship
        self.scorer = scorer
        self.fields = fields
        self.auto_fields = auto_fields
        self.frequency = frequency
        self.n_jobs = n_jobs
        self.clustering = clustering
        self.cannot_link = cannot_link
        self.must_link = must_link
        self.max_pairs = max_pairs
        self.max_block_size = max_block_size
        self.u_sample_size = u_sample_size
        self.em_max_iter = em_max_iter
        self.seed = seed
        self.engine = engine

    # -- the stages, as objects --------------------------------------------------------
    def all_fields(self) -> list[Field]:
        """Declared custom fields plus those zero configuration added when fitting."""
        return [*(self.fields or ()), *getattr(self, "auto_fields_", [])]

    def schema_mapper(self) -> SchemaMapper:
        return SchemaMapper(self.sources, source_column=self.source_column, key=self.key,
                            fields=self.all_fields() or None)

    def record_normaliser(self) -> RecordNormaliser:
        return RecordNormaliser(self.normalisers, fields=self.all_fields() or None,
                                frequency=self.frequency, n_jobs=self.n_jobs)

    def blocker(self) -> Blocker:
        self._check_fitted()
        return Blocker(self.blocking_rules_, max_pairs=self.max_pairs,
                       max_block_size=self.max_block_size)

    def comparator(self) -> Comparator:
        self._check_fitted()
        return Comparator(tuple(self.comparisons_))

    def clusterer(self) -> ConnectedComponents | WeightedClustering:
        self._check_fitted()
        if self.clustering == "connected_components":
            return ConnectedComponents(self.threshold_)
        return WeightedClustering(self.threshold_)

    def _constraints(self, records: pd.DataFrame) -> list[Constraint]:
        by_field = {c.field: c for c in self.comparisons_}
        constraints = []
        for field in self.cannot_link:
            if f"{field}_key" not in records.columns:
                continue
            values = records[f"{field}_key"].where(
                records[f"{field}_status"] == VALID, None).to_numpy(dtype=object)
            constraints.append(Constraint(field, values, _conflict_rule(by_field.get(field))))
        return constraints

    def _must_link_pairs(self, records: pd.DataFrame) -> pd.DataFrame | None:
        if not self.must_link:
            return None
        pairs = Blocker(list(self.must_link), max_pairs=self.max_pairs).block(records)
        forced: pd.DataFrame = pairs[["row_l", "row_r"]]
        return forced

    # -- running --------------------------------------------------------------------------
    def fit(self, data: Data, *, labels: pd.DataFrame | None = None) -> Pipeline:
        """Choose what zero configuration leaves open and fit the model; returns self.

        ``labels`` (optional) are clerical decisions: columns ``source_l``,
        ``record_key_l``, ``source_r``, ``record_key_r`` and ``match`` (1 or 0). They fix
        those pairs during EM (semi-supervised) and are compared even when blocking
        did not propose them.
        """
        if self.engine == "spark" or _spark_data(data):
            from goldenrec.spark._dispatch import resolve_on_spark  # noqa: PLC0415

            if labels is not None:
                raise ConfigError("labels are not supported by the Spark engine")
            self._validate()
            resolve_on_spark(self, data, refit=True)
            return self
        self._fit_and_run(data, progress=None, refit=True, labels=labels)
        return self

    def resolve(self, data: Data, *, progress: Progress | None = None,
                overrides: pd.DataFrame | None = None, frozen: bool = False) -> Result:
        """Run every stage and return the golden records and the other outputs.

        An unfitted pipeline is fitted on ``data`` first; a fitted one keeps its model.
        ``overrides`` (``golden_id, field, value``) are steward-set golden values.
        With ``frozen`` a fitted pipeline also keeps the whole-data facts of the data it
        was fitted on (placeholders, term frequencies, survivorship statistics; see
        docs/store.md) instead of taking them from ``data``, as a golden store does.
        """
        if self.engine == "spark" or _spark_data(data):
            # a goldenrec.spark.SparkResult: the same tables as Spark DataFrames
            from goldenrec.spark._dispatch import resolve_on_spark  # noqa: PLC0415

            self._validate()
            return cast(Result, resolve_on_spark(self, data, progress=progress,
                                                 overrides=overrides, frozen=frozen))
        if frozen and not hasattr(self, "frozen_"):
            raise NotFittedError("frozen=True needs a pipeline fitted in this session")
        return self._fit_and_run(data, progress=progress, refit=not self.is_fitted,
                                 overrides=overrides,
                                 frozen=self.frozen_ if frozen else None)

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "model_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError("the pipeline is not fitted; call fit() or resolve() first")

    def _validate(self) -> None:
        if isinstance(self.threshold, str):
            if self.threshold != "auto":
                raise ConfigError("threshold must be a probability or 'auto'")
        elif not 0.0 < float(self.threshold) < 1.0:
            raise ConfigError("threshold must be between 0 and 1")
        if self.clustering not in ("weighted", "connected_components"):
            raise ConfigError("clustering must be 'weighted' or 'connected_components'")
        if self.engine not in ("local", "spark"):
            raise ConfigError("engine must be 'local' or 'spark'")
        if self.max_pairs < 1 or self.u_sample_size < 1 or self.em_max_iter < 1:
            raise ConfigError("max_pairs, u_sample_size and em_max_iter must be positive")

    def _fit_and_run(self, data: Data, *, progress: Progress | None, refit: bool,
                     labels: pd.DataFrame | None = None,
                     overrides: pd.DataFrame | None = None,
                     frozen: FrozenState | None = None) -> Result:
        self._validate()

        def stage(name: str) -> None:
            logger.info("stage %s", name)
            if progress is not None:
                progress(name, STAGES.index(name) + 1, len(STAGES))

        stage("map")
        if refit:
            self.auto_fields_: list[Field] = []
        mapped = self.schema_mapper().map(data)
        if refit and self.auto_fields:
            extra = infer_extra_fields(mapped.frame, mapped.mapping, self.all_fields())
            if extra:
                self.auto_fields_ = extra
                mapped = self.schema_mapper().map(data)
        stage("normalise")
        if frozen is not None:  # placeholders as frozen, not as counted in this data
            normalised = frozen.normalise(self.record_normaliser(), mapped)
        else:
            normalised = self.record_normaliser().normalise(mapped)
        records = normalised.frame
        key_cache: KeyCache = {}  # block keys, computed once for rule choice and blocking
        built: RulePairs | None = None  # pairs built while choosing the rules
        if refit:
            fields = usable_fields(records, normalised.roles)
            kinds = {f.name: f.kind for f in self.all_fields()}
            comparisons = list(self.comparisons) if self.comparisons is not None else \
                default_comparisons(fields, kinds)
            rules: list[BlockingRule | BlockingStrategy]
            if self.blocking_rules is not None:
                rules = list(self.blocking_rules)
            else:
                chosen, built = choose_blocking_rules(fields, records, kinds, cache=key_cache,
                                                      max_pairs=self.max_pairs,
                                                      n_jobs=self.n_jobs)
                rules = list(chosen)
            self.fields_ = list(normalised.roles)
            self.comparisons_ = comparisons
            self.blocking_rules_ = rules
        stage("block")
        blocker = Blocker(self.blocking_rules_, max_pairs=self.max_pairs,
                          max_block_size=self.max_block_size)
        pairs = blocker.block(records, cache=key_cache, built=built)
        stage("compare")
        comparator = Comparator(tuple(self.comparisons_), n_jobs=self.n_jobs)
        if refit:
            # random record pairs estimate u: compared with the candidates in one pass
            sample_l, sample_r = random_pairs(len(records), self.u_sample_size, self.seed)
            gamma, random_gamma = comparator.compare_each(
                [pairs, pd.DataFrame({"row_l": sample_l, "row_r": sample_r})], records)
        else:
            gamma = comparator.compare(pairs, records)
        if frozen is not None:
            frozen.term_frequencies(gamma, pairs, records, self.comparisons_)
        stage("score")
        if refit:
            n_levels = {c.name: len(c.labels) for c in self.comparisons_}
            scorer: Scorer = (copy.deepcopy(self.scorer) if self.scorer is not None
                              else FellegiSunter(max_iter=self.em_max_iter))
            if isinstance(scorer, FellegiSunter):
                total_pairs = len(records) * (len(records) - 1) // 2
                train_gamma, train_labels = gamma, None
                keep = person_evidence(gamma, self.comparisons_)
                if keep is not None:
                    train_gamma = gamma.loc[keep].reset_index(drop=True)
                share = min(1.0, max(len(train_gamma), 1) / max(total_pairs, 1))
                fixed_m = None
                if labels is not None:
                    train_gamma, train_labels = _with_labels(
                        labels, pairs, gamma, records, comparator)
                else:
                    fixed_m = self._session_m(scorer, gamma, random_gamma, n_levels)
                self.model_ = scorer.fit(train_gamma, random_gamma, n_levels=n_levels,
                                         candidate_share=share, labels=train_labels,
                                         fixed_m=fixed_m)
            else:
                self.model_ = scorer.fit(gamma, random_gamma, n_levels=n_levels)
        scores = self.model_.score(gamma)
        if refit:
            self.threshold_ = (choose_threshold(scores["match_probability"].to_numpy())
                               if self.threshold == "auto" else float(self.threshold))
        scored = pd.concat([pairs, gamma, scores], axis=1)
        stage("cluster")
        clusterer = self.clusterer()
        if isinstance(clusterer, WeightedClustering):
            must_link = self._must_link_pairs(records)
            clusters = clusterer.cluster(scored, len(records),
                                         constraints=self._constraints(records),
                                         must_link=must_link)
        else:
            clusters = clusterer.cluster(scored, len(records))
        stage("survive")
        fields = [f for f in self.fields_ if f in normalised.roles]
        engine = (self.survivorship if isinstance(self.survivorship, Survivorship)
                  else Survivorship(self.survivorship))
        survived = engine.survive(
            records, clusters, fields, pairs=scored, overrides=overrides,
            source_trust={name: spec.trust for name, spec in mapped.sources.items()},
            field_stats=frozen.field_stats() if frozen is not None else None,
            n_jobs=self.n_jobs)
        if refit or not hasattr(self, "frozen_"):
            # whole-data facts of this run, frozen for incremental use (golden store)
            self.frozen_ = FrozenState.capture(self.record_normaliser(), mapped, normalised,
                                               self.comparisons_, survived)
        golden, lineage, record_golden = survived
        xref = pd.DataFrame({
            "source": text_column(records["source"].to_numpy(dtype=object)),
            "record_key": text_column(records["record_key"].to_numpy(dtype=object)),
            "golden_id": text_column(record_golden.to_numpy(dtype=object)),
        })
        return Result(
            golden=golden, xref=xref, lineage=lineage, pairs=scored,
            quality=normalised.quality(), mapping=mapped.mapping, records=records,
            threshold=self.threshold_, blocking_stats=blocker.stats_,
            model=self.model_, comparisons=tuple(self.comparisons_),
            conflicts=survived.conflicts, confidence=survived.confidence,
            survivorship=survived,
        )

    def _session_m(self, scorer: FellegiSunter, gamma: pd.DataFrame,
                   random_gamma: pd.DataFrame, n_levels: dict[str, int]
                   ) -> dict[str, np.ndarray] | None:
        """``m`` from training sessions (see ``goldenrec._training``), or ``None``."""
        sessions = sessions_for(self.comparisons_)
        if not sessions:
            return None

        def fit_one(session_gamma: pd.DataFrame) -> dict[str, np.ndarray]:
            model = copy.deepcopy(scorer).fit(session_gamma, random_gamma,
                                              n_levels=n_levels)
            return model.m_

        found = session_m(fit_one, gamma, sessions, list(n_levels))
        return found or None

    def normalise(self, data: Data) -> NormalisedRecords:
        """Map and normalise only (for exploring data quality)."""
        return self.record_normaliser().normalise(self.schema_mapper().map(data))

    # -- persistence --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The configuration (and fitted state) as JSON-ready data."""
        if self.scorer is not None or any(
            not isinstance(r, _SAVABLE_BLOCKING) for r in self.blocking_rules or ()
        ):
            raise ConfigError("a pipeline with a custom scorer or blocking strategy cannot "
                              "be saved; only built-in specs can")
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "sources": [s.to_dict() for s in self.sources] if self.sources else None,
            "source_column": self.source_column,
            "key": self.key,
            "normalisers": {role: normaliser_to_dict(n)
                            for role, n in (self.normalisers or {}).items()} or None,
            "blocking_rules": [r.to_dict() for r in self.blocking_rules
                               if isinstance(r, _SAVABLE_BLOCKING)]
            if self.blocking_rules is not None else None,
            "comparisons": [c.to_dict() for c in self.comparisons]
            if self.comparisons is not None else None,
            "threshold": self.threshold,
            "survivorship": self.survivorship.to_dict()
            if isinstance(self.survivorship, Survivorship)
            else {f: r.to_dict() for f, r in (self.survivorship or {}).items()} or None,
            "fields": [f.to_dict() for f in self.fields] if self.fields else None,
            "auto_fields": self.auto_fields,
            "frequency": self.frequency.to_dict() if self.frequency is not None else None,
            "clustering": self.clustering,
            "cannot_link": list(self.cannot_link),
            "must_link": [r.to_dict() for r in self.must_link],
            "max_pairs": self.max_pairs,
            "max_block_size": self.max_block_size,
            "u_sample_size": self.u_sample_size,
            "em_max_iter": self.em_max_iter,
            "seed": self.seed,
            "engine": self.engine,
        }
        if self.is_fitted:
            data["fitted"] = {
                "fields": self.fields_,
                "auto_fields": [f.to_dict() for f in getattr(self, "auto_fields_", [])],
                "blocking_rules": [r.to_dict() for r in self.blocking_rules_
                                   if isinstance(r, _SAVABLE_BLOCKING)],
                "comparisons": [c.to_dict() for c in self.comparisons_],
                "model": _model_dict(self.model_),
                "threshold": self.threshold_,
            }
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)

    def save(self, path: str | Path) -> None:
        """Write the pipeline as versioned JSON (never pickle)."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pipeline:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise SerialisationError("not a saved goldenrec pipeline")
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise SerialisationError(
                f"saved pipeline has format version {version!r}; this goldenrec reads "
                f"version {FORMAT_VERSION}")
        check_pipeline_dict(data)
        try:
            pipeline = cls(
                [Source.from_dict(s) for s in data["sources"]] if data.get("sources")
                else None,
                source_column=data.get("source_column"),
                key=data.get("key"),
                normalisers={role: normaliser_from_dict(n)
                             for role, n in data["normalisers"].items()}
                if data.get("normalisers") else None,
                blocking_rules=[blocking_from_dict(r) for r in data["blocking_rules"]]
                if data.get("blocking_rules") is not None else None,
                comparisons=[comparison_from_dict(c) for c in data["comparisons"]]
                if data.get("comparisons") is not None else None,
                threshold=data.get("threshold", "auto"),
                survivorship=_survivorship_from_dict(data.get("survivorship")),
                fields=[Field.from_dict(f) for f in data["fields"]]
                if data.get("fields") else None,
                auto_fields=bool(data.get("auto_fields", True)),
                frequency=(FrequencyLimits.from_dict(data["frequency"])
                           if data["frequency"] is not None else None)
                if "frequency" in data else DEFAULT_FREQUENCY,
                clustering=str(data.get("clustering", "weighted")),
                cannot_link=tuple(str(f) for f in data.get("cannot_link", ())),
                must_link=tuple(BlockingRule.from_dict(r) for r in data.get("must_link", ())),
                max_pairs=int(data["max_pairs"]),
                max_block_size=data.get("max_block_size"),
                u_sample_size=int(data["u_sample_size"]),
                em_max_iter=int(data["em_max_iter"]),
                seed=int(data["seed"]),
                engine=str(data.get("engine", "local")),
            )
            fitted = data.get("fitted")
            if fitted:
                pipeline.fields_ = [str(f) for f in fitted["fields"]]
                pipeline.auto_fields_ = [Field.from_dict(f)
                                         for f in fitted.get("auto_fields", [])]
                pipeline.blocking_rules_ = [blocking_from_dict(r)
                                            for r in fitted["blocking_rules"]]
                pipeline.comparisons_ = [comparison_from_dict(c) for c in fitted["comparisons"]]
                pipeline.model_ = FellegiSunter.from_dict(fitted["model"])
                pipeline.threshold_ = float(fitted["threshold"])
                check_fitted_model(pipeline.model_,
                                   {c.name: len(c.labels) for c in pipeline.comparisons_})
            pipeline._validate()
        except SerialisationError:
            raise
        except ConfigError as error:
            raise SerialisationError(f"saved pipeline has invalid settings: {error}") from None
        except Exception as error:  # any other failure means a malformed file
            raise SerialisationError(
                f"saved pipeline is malformed ({type(error).__name__})") from None
        return pipeline

    @classmethod
    def from_json(cls, text: str | bytes) -> Pipeline:
        """Read a pipeline saved with :meth:`to_json` (checked against the schema and
        the limits in ``goldenrec._validation``; nothing in it is executed)."""
        return cls.from_dict(load_json(text))

    @classmethod
    def load(cls, path: str | Path) -> Pipeline:
        return cls.from_json(read_limited(path))

    def _repr_html_(self) -> str:
        from goldenrec._html import pipeline_html  # noqa: PLC0415

        return pipeline_html(self)

    def __repr__(self) -> str:
        state = "fitted" if self.is_fitted else "not fitted"
        return f"<goldenrec.Pipeline ({state})>"


def _with_labels(labels: pd.DataFrame, pairs: pd.DataFrame, gamma: pd.DataFrame,
                 records: pd.DataFrame, comparator: Comparator
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """Candidate levels plus labelled pairs blocking missed, and labels aligned to them."""
    needed = {"source_l", "record_key_l", "source_r", "record_key_r", "match"}
    missing = needed - set(labels.columns)
    if missing:
        raise InputError(f"labels need columns {sorted(needed)}; missing {sorted(missing)}")
    position = {key: i for i, key in enumerate(zip(records["source"], records["record_key"]))}
    rows_l, rows_r, values = [], [], []
    for sl, kl, sr, kr, match in zip(labels["source_l"], labels["record_key_l"],
                                     labels["source_r"], labels["record_key_r"],
                                     labels["match"]):
        for source, key in ((sl, kl), (sr, kr)):
            if (str(source), str(key)) not in position:
                raise InputError("a labelled record is not in the data", source=str(source),
                                 record_key=str(key))
        a, b = position[(str(sl), str(kl))], position[(str(sr), str(kr))]
        if a == b:
            continue
        rows_l.append(min(a, b))
        rows_r.append(max(a, b))
        values.append(float(match))
    label_frame = pd.DataFrame({"row_l": rows_l, "row_r": rows_r, "label": values})
    merged = pairs[["row_l", "row_r"]].merge(label_frame, on=["row_l", "row_r"], how="left")
    aligned = merged["label"].to_numpy(dtype=np.float64)
    extra = label_frame.merge(pairs[["row_l", "row_r"]], on=["row_l", "row_r"], how="left",
                              indicator=True)
    extra = extra[extra["_merge"] == "left_only"]
    if len(extra) == 0:
        return gamma, aligned
    extra_gamma = comparator.compare(extra[["row_l", "row_r"]].reset_index(drop=True), records)
    combined = pd.concat([gamma, extra_gamma], ignore_index=True)
    return combined, np.concatenate([aligned, extra["label"].to_numpy(dtype=np.float64)])


def _conflict_rule(comparison: Comparison | None
                   ) -> Callable[[list[object], list[object]], bool]:
    """Two value lists conflict when some pair of values is a clear disagreement: the
    field's comparison puts it at ``else`` (a typo or a swapped day and month is not a
    conflict); without a comparison, any difference is."""
    if comparison is None:
        return lambda a, b: bool(set(a) ^ set(b))
    last = len(comparison.labels) - 1

    def conflict(a: list[object], b: list[object]) -> bool:
        left = [x for x in a for _ in b]
        right = [y for _ in a for y in b]
        return bool((comparison.levels(left, right) == last).any())

    return conflict


def _survivorship_from_dict(data: Any
                            ) -> Mapping[str, SurvivorshipRule] | Survivorship | None:
    """Saved survivorship settings: a whole engine, or (older files) ``{field: rule}``."""
    if not data:
        return None
    if isinstance(data, Mapping) and "format" in data:
        return Survivorship.from_dict(data)
    return {f: rule_from_dict(r) for f, r in data.items()}


def _model_dict(model: Any) -> dict[str, Any]:
    if not isinstance(model, FellegiSunter):
        raise ConfigError("only a FellegiSunter model can be saved")
    return model.to_dict()


def _spark_data(data: object) -> bool:
    """Whether ``data`` holds Spark DataFrames (checked without importing pyspark)."""
    frames = list(data.values()) if isinstance(data, Mapping) else [data]
    return any(type(f).__module__.startswith("pyspark.") for f in frames)


def resolve(data: Data, **options: Any) -> Result:
    """One call from records to golden records: ``Pipeline(**options).resolve(data)``."""
    return Pipeline(**options).resolve(data)


