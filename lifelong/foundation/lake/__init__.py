"""The lakehouse: Delta tables under ``<data dir>/lake/<layer>/<table>`` and a DuckDB view.

``connect(settings)`` is contract C5: a DuckDB connection in which ``raw.*``, ``clean.*``
and ``marts.*`` are queryable.
"""

from lifelong.foundation.lake.connection import connect
from lifelong.foundation.lake.paths import LAYERS, list_tables, table_path

__all__ = ["LAYERS", "connect", "list_tables", "table_path"]
