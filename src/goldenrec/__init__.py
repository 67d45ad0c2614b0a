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
    block_on,
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
from goldenrec._normalise._records import FrequencyLimits
from goldenrec._pipeline import Pipeline, resolve
from goldenrec._quality import QualityReport
from goldenrec._result import Result
from goldenrec._roles import ROLES, Field, infer_role
from goldenrec._schema import MappedRecords, SchemaMapper, Source
from goldenrec._scoring import FellegiSunter, choose_threshold
from goldenrec._survivorship import (
    Longest,
    MostFrequent,
    MostRecent,
    SourcePriority,
    Survivorship,
    SurvivorshipRule,
)
from goldenrec._version import __version__

__all__ = [
    "ROLES",
    "AddressNormaliser",
    "BlockKey",
    "Blocker",
    "BlockingLimitError",
    "BlockingRule",
    "Chart",
    "ClusterScores",
    "CompanyNormaliser",
    "Comparator",
    "Comparison",
    "ConnectedComponents",
    "CountryNormaliser",
    "DateComparison",
    "DateNormaliser",
    "EmailComparison",
    "EmailNormaliser",
    "Evaluation",
    "ExactComparison",
    "FellegiSunter",
    "Field",
    "FrequencyLimits",
    "GenderNormaliser",
    "IdentifierComparison",
    "IdentifierNormaliser",
    "Longest",
    "MappedRecords",
    "MostFrequent",
    "MostRecent",
    "NameComparison",
    "NameNormaliser",
    "Normalised",
    "NormalisedRecords",
    "Normaliser",
    "PairwiseScores",
    "PhoneNormaliser",
    "Pipeline",
    "PostcodeNormaliser",
    "QualityReport",
    "RecordNormaliser",
    "Result",
    "SchemaMapper",
    "SortedNeighbourhood",
    "Source",
    "SourcePriority",
    "StringComparison",
    "Survivorship",
    "SurvivorshipRule",
    "TextNormaliser",
    "TimestampNormaliser",
    "TokenBlocking",
    "WeightedClustering",
    "__version__",
    "block_on",
    "choose_threshold",
    "estimate_quality",
    "evaluate",
    "extract_postcode",
    "infer_role",
    "pairwise_scores",
    "parameter_chart",
    "phonetic",
    "pr_curve_chart",
    "prefix",
    "resolve",
    "split_full_name",
    "waterfall_chart",
    "weight_histogram",
]
