"""The last calculation, stored durably: shown the next time the monitor opens (S3).

One Parquet file per data set in a store folder (``$AANDACHT_STORE``, default ``.aandacht/`` in
the working directory). The file holds the result table and, in its schema metadata, the
settings and the time of the calculation as JSON: a single file, so result and settings can never
disagree. It is written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a reader sees the old or the new calculation, never half of one.

>>> import tempfile, pandas as pd
>>> folder = tempfile.mkdtemp()
>>> df = pd.DataFrame({"relation_id": ["R1"], "total": [3]})
>>> saved = save_result(df, {"as_of": "2026-10-31"}, "data_samples", folder=folder)
>>> last = load_result("data_samples", folder=folder)
>>> last.result.total.tolist(), last.settings["as_of"]
([3], '2026-10-31')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["StoredResult", "load_result", "result_path", "save_result", "store_folder"]

#: Schema-metadata key holding the JSON of settings and timestamp.
META_KEY = b"aandacht"
#: Bumped when the stored layout changes; other versions are ignored (recalculated).
FORMAT_VERSION = 1


@dataclass
class StoredResult:
    """A stored calculation.

    Attributes
    ----------
    result : the table of :func:`aandacht.calculate` (``attrs`` restored).
    settings : the settings it was calculated with (JSON-safe values).
    calculated_at : local date and time of the calculation (naive, seconds).
    data : the data set (path or URL, passwords removed) it belongs to.
    path : the file it was read from or written to.
    """

    result: pd.DataFrame
    settings: dict[str, Any]
    calculated_at: dt.datetime
    data: str
    path: Path


def store_folder(folder: str | Path | None = None) -> Path:
    """The store folder: ``folder``, else ``$AANDACHT_STORE``, else ``./.aandacht``."""
    if folder is not None:
        return Path(folder)
    env = os.environ.get("AANDACHT_STORE")
    return Path(env) if env else Path.cwd() / ".aandacht"


def _data_key(data: str | Path) -> str:
    """A stable name for a data set: its absolute path (or URL without password)."""
    text = str(data)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+]*://", text):
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1@", text)
    return str(Path(text).expanduser().resolve())


def result_path(data: str | Path, folder: str | Path | None = None) -> Path:
    """The file the last calculation on ``data`` is stored in."""
    key = _data_key(data)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    stem = re.sub(r"[^A-Za-z0-9]+", "_", Path(key.rstrip("/")).name or "data").strip("_")[:40]
    return store_folder(folder) / f"last-{stem or 'data'}-{digest}.parquet"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def save_result(
    result: pd.DataFrame,
    settings: dict[str, Any],
    data: str | Path,
    *,
    folder: str | Path | None = None,
    calculated_at: dt.datetime | None = None,
) -> StoredResult:
    """Store ``result`` with its ``settings`` as the last calculation on ``data``.

    Parameters
    ----------
    result : the table of :func:`aandacht.calculate`.
    settings : what it was calculated with (dates, ids, …); stored as JSON.
    data : the data set's path or URL (the key under which it is stored).
    folder : the store folder; default :func:`store_folder`.
    calculated_at : default now (local time, whole seconds).

    Raises
    ------
    OSError
        When the folder cannot be written; an existing stored result is then left intact.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    at = (calculated_at or dt.datetime.now()).replace(microsecond=0)
    path = result_path(data, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "version": FORMAT_VERSION,
        "calculated_at": at.isoformat(),
        "data": _data_key(data),
        "settings": _jsonable(settings),
        "attrs": _jsonable(dict(result.attrs)),
    }
    frame = result.copy()
    frame.attrs = {}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode("utf-8")}
    )
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the store is the server's to share
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return StoredResult(
        _with_attrs(result, meta["attrs"]), meta["settings"], at, meta["data"], path
    )


def _with_attrs(df: pd.DataFrame, attrs: dict[str, Any]) -> pd.DataFrame:
    """``df`` (not copied) with ``attrs`` set; a small helper for round trips."""
    df.attrs = dict(attrs)
    return df


def _restore_object_columns(df: pd.DataFrame, pandas_meta: dict[str, Any]) -> pd.DataFrame:
    """Give text columns that were ``object`` when written their ``object`` dtype back."""
    for col in pandas_meta.get("columns", []):
        name = col.get("name")
        if col.get("numpy_type") == "object" and name in df.columns and df[name].dtype != object:
            df[name] = df[name].astype(object)
    return df


def load_result(data: str | Path, *, folder: str | Path | None = None) -> StoredResult | None:
    """The last stored calculation on ``data``, or ``None`` when there is none.

    A file that cannot be read, belongs to another data set or has another layout version is
    treated as absent (the caller recalculates); it is not deleted.
    """
    import pyarrow.parquet as pq

    path = result_path(data, folder)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[META_KEY].decode("utf-8"))
        if meta.get("version") != FORMAT_VERSION or meta.get("data") != _data_key(data):
            return None
        df = _restore_object_columns(table.to_pandas(), table.schema.pandas_metadata or {})
        at = dt.datetime.fromisoformat(meta["calculated_at"])
    except (OSError, KeyError, ValueError, TypeError):
        return None
    return StoredResult(
        _with_attrs(df, meta.get("attrs", {})), meta.get("settings", {}), at, meta["data"], path
    )
