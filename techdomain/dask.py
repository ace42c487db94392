"""Classify a dask DataFrame partition by partition: the same model on a laptop or a cluster.

Needs the ``dask`` extra: ``pip install "techdomain[dask]"``.
"""

from __future__ import annotations

from typing import Any

from .classifier import DomainClassifier
from .output import output_columns, row_values


def classify_partition(frame: Any, model: DomainClassifier, text_column: str, top_k: int = 3) -> Any:
    """Classify one pandas DataFrame: a copy with the output columns appended (index kept).

    This is also the function to use from Spark's ``mapInPandas`` or any other engine that hands
    out pandas frames.
    """
    import pandas as pd

    texts = frame[text_column].tolist()
    d = model.decide(texts, top_k)
    cols = output_columns(top_k)
    rows = [row_values(d, i, top_k) for i in range(len(texts))]
    empty = [not isinstance(t, str) or not t.strip() for t in texts]
    out = frame.copy()
    values = pd.DataFrame(rows, columns=cols, index=frame.index)
    values.loc[empty, cols] = None  # as in the CLI: an empty text gets no domain, only its status
    for c in cols:
        out[c] = values[c].astype(_dtypes(top_k)[c])
    out["status"] = ["empty" if e else "" for e in empty]
    return out


def _dtypes(top_k: int) -> dict[str, str]:
    def kind(col: str) -> str:
        return "Int64" if col.startswith("domain_id") else "Float64" if col.startswith("confidence") else "string"

    return {c: kind(c) for c in output_columns(top_k)}


def classify_dataframe(ddf: Any, text_column: str, top_k: int = 3, model: DomainClassifier | None = None) -> Any:
    """A lazy dask DataFrame: ``ddf`` with the output columns of ``techdomain classify`` appended.

    With a ``distributed`` client the model is scattered to every worker once; otherwise it is one
    node of the task graph. Each worker process builds its own tokenizer on first use.

    >>> import dask.dataframe as dd, pandas as pd, techdomain.dask
    >>> ddf = dd.from_pandas(pd.DataFrame({"abstract": ["量子ビットの誤り訂正"]}), npartitions=1)
    >>> techdomain.dask.classify_dataframe(ddf, "abstract").compute()["domain_id"].tolist()
    [12]
    """
    import dask
    import pandas as pd

    if model is None:
        from . import load

        model = load()
    try:
        from distributed import get_client

        # On a cluster, send the model to every worker once, ahead of the tasks that use it.
        shared = get_client().scatter(model, broadcast=True, hash=False)
    except (ImportError, ValueError):  # no distributed scheduler running: the local schedulers share memory
        shared = dask.delayed(model, pure=True)
    meta = ddf._meta.copy()
    for c, t in _dtypes(top_k).items():
        meta[c] = pd.Series(dtype=t)
    meta["status"] = pd.Series(dtype="object")
    return ddf.map_partitions(classify_partition, shared, text_column, top_k, meta=meta)
