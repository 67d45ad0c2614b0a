"""Run goldenrec on Apache Spark (needs ``pip install goldenrec[spark]``).

The same pipeline, the same comparisons and the same survivorship as the local
engine; Spark moves the data. See the "Spark" page of the docs.
"""

from goldenrec.spark._engine import SparkEngine
from goldenrec.spark._result import SparkResult

__all__ = ["SparkEngine", "SparkResult"]
