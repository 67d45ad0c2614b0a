"""goldenrec: one golden record per customer from messy multi-source records.

>>> import goldenrec as gr
>>> "Pipeline" in gr.__all__
True
"""

from goldenrec._blocking import (
    Blocker,
    BlockingLimitError,
    BlockingRule,
    BlockKey,
    SortedNeighbourhood,
    TokenBlocking,
    all_pairs,
    block_on,
    canonical,
    phonetic,
    prefix,
)
from goldenrec._charts import (
    Chart,
    parameter_chart,
    pr_curve_chart,
    waterfall_chart,
    weight_histogram,
)
from goldenrec._clustering import ConnectedComponents, WeightedClustering
from goldenrec._comparisons import (
    Comparator,
    Comparison,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)
from goldenrec._evaluation import ClusterScores, Evaluation, estimate_quality, evaluate
from goldenrec._lineage import ValueExplanation
from goldenrec._masking import mask, mask_frame, mask_value
from goldenrec._metrics import PairwiseScores, pairwise_scores
from goldenrec._normalise import (
    AddressNormaliser,
    CompanyNormaliser,
    CountryNormaliser,
    DateNormaliser,
    EmailNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    NameNormaliser,
    Normalised,
    NormalisedRecords,
    Normaliser,
    PhoneNormaliser,
    PostcodeNormaliser,
    RecordNormaliser,
    TextNormaliser,
    TimestampNormaliser,
    extract_postcode,
    split_full_name,
)
from goldenrec._normalise._consent import ConsentNormaliser, PurposeNormaliser
from goldenrec._normalise._records import FrequencyLimits
from goldenrec._pipeline import Pipeline, resolve
from goldenrec._pseudonymise import Pseudonymiser, pseudonymise
from goldenrec._quality import QualityReport
from goldenrec._report import write_report
from goldenrec._result import Result
from goldenrec._retention import RetentionPolicy, RetentionReport
from goldenrec._roles import ROLES, Field, infer_role
from goldenrec._schema import MappedRecords, SchemaMapper, Source
from goldenrec._scoring import FellegiSunter, choose_threshold
from goldenrec._store import Batch, Changes, Decision, Event, GoldenStore, StoreFormatError
from goldenrec._store._backup import BackupReport
from goldenrec._survivorship import (
    Aggregate,
    Closeness,
    Custom,
    Decay,
    FieldGroup,
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
    Survivorship,
    SurvivorshipResult,
    SurvivorshipRule,
)
from goldenrec._synthetic import SyntheticData, generate_customers
from goldenrec._version import __version__

__all__ = [
    "ROLES",
    "AddressNormaliser",
    "Aggregate",
    "BackupReport",
    "Batch",
    "BlockKey",
    "Blocker",
    "BlockingLimitError",
    "BlockingRule",
    "Changes",
    "Chart",
    "Closeness",
    "ClusterScores",
    "CompanyNormaliser",
    "Comparator",
    "Comparison",
    "ConnectedComponents",
    "ConsentNormaliser",
    "CountryNormaliser",
    "Custom",
    "DateComparison",
    "DateNormaliser",
    "Decay",
    "Decision",
    "EmailComparison",
    "EmailNormaliser",
    "Evaluation",
    "Event",
    "ExactComparison",
    "FellegiSunter",
    "Field",
    "FieldGroup",
    "FirstNonMissing",
    "FrequencyLimits",
    "GenderNormaliser",
    "GoldenStore",
    "IdentifierComparison",
    "IdentifierNormaliser",
    "Longest",
    "MappedRecords",
    "Maximum",
    "Minimum",
    "MostFrequent",
    "MostRecent",
    "NameComparison",
    "NameNormaliser",
    "Normalised",
    "NormalisedRecords",
    "Normaliser",
    "Oldest",
    "PairwiseScores",
    "PhoneNormaliser",
    "Pipeline",
    "PostcodeNormaliser",
    "Prevalence",
    "Pseudonymiser",
    "PurposeNormaliser",
    "QualityReport",
    "RecordNormaliser",
    "Result",
    "RetentionPolicy",
    "RetentionReport",
    "SchemaMapper",
    "Shortest",
    "SortedNeighbourhood",
    "Source",
    "SourcePriority",
    "SourceTrust",
    "StoreFormatError",
    "StringComparison",
    "Survivorship",
    "SurvivorshipResult",
    "SurvivorshipRule",
    "SyntheticData",
    "TextNormaliser",
    "TimestampNormaliser",
    "TokenBlocking",
    "ValueExplanation",
    "WeightedClustering",
    "__version__",
    "all_pairs",
    "block_on",
    "canonical",
    "choose_threshold",
    "estimate_quality",
    "evaluate",
    "extract_postcode",
    "generate_customers",
    "infer_role",
    "mask",
    "mask_frame",
    "mask_value",
    "pairwise_scores",
    "parameter_chart",
    "phonetic",
    "pr_curve_chart",
    "prefix",
    "pseudonymise",
    "resolve",
    "split_full_name",
    "waterfall_chart",
    "weight_histogram",
    "write_report",
]
