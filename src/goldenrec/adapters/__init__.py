"""Adapters that plug other record-linkage libraries into a goldenrec :class:`Pipeline`.

Each adapter lives in its own module and needs its own optional extra; importing
``goldenrec`` never imports them.

- :mod:`goldenrec.adapters.recordlinkage` (``pip install 'goldenrec[recordlinkage]'``):
  ``RecordLinkageIndexer`` wraps a recordlinkage indexer as a blocking strategy and
  ``RecordLinkageClassifier`` wraps a recordlinkage classifier as a scorer.
  recordlinkage requires pandas < 3.
"""
