"""Privacy mode (S16): make relation codes and names unreadable, for demos and screenshots.

A relation code becomes a pseudonym derived from the code with a keyed hash (HMAC-SHA256), so the
same relation gets the same pseudonym in the grid, the dialogs and the exports, while the real
code cannot be recovered by hashing guessed codes: the key is random per process unless one is
given. Names become "Relatie <pseudonym>"; street addresses and postcodes are masked; the
coordinates are removed.

>>> import pandas as pd
>>> df = pd.DataFrame({"relation_id": ["R1", "R2"], "name": ["Bakker", "=cmd"], "total": [3, 0]})
>>> out = pseudonymise(df, key=b"k")
>>> out.relation_id.str.match(r"^P-[0-9A-F]{8}$").all(), out.total.tolist()
(np.True_, [3, 0])
>>> out.name.iloc[0] == "Relatie " + out.relation_id.iloc[0]
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import pandas as pd

from .i18n import t

__all__ = ["MASK", "PSEUDONYM_PATTERN", "pseudonym", "pseudonymise"]

#: What masked text (addresses, message content) is replaced by.
MASK = "•••"
#: The key used when none is given: random, fixed for the lifetime of the process.
_PROCESS_KEY = secrets.token_bytes(32)

#: Columns holding relation codes, names and other identifying text, by default.
CODE_COLUMNS = ("relation_id",)
NAME_COLUMNS = ("name",)
MASK_COLUMNS = ("address", "postcode", "subject", "body")
DROP_VALUE_COLUMNS = ("lat", "lon")


#: What a pseudonym looks like (:func:`pseudonym`).
PSEUDONYM_PATTERN = r"P-[0-9A-F]{8}"


def pseudonym(code: object, key: bytes | None = None) -> str:
    """The pseudonym of one relation code: ``P-`` and 8 hex digits.

    >>> pseudonym("R00001", b"k") == pseudonym("R00001", b"k") != pseudonym("R00002", b"k")
    True
    """
    digest = hmac.new(key or _PROCESS_KEY, str(code).encode("utf-8"), hashlib.sha256)
    return "P-" + digest.hexdigest()[:8].upper()


def pseudonymise(
    df: pd.DataFrame,
    key: bytes | None = None,
    lang: str = "nl",
    *,
    code_columns: Iterable[str] = CODE_COLUMNS,
    name_columns: Iterable[str] = NAME_COLUMNS,
    mask_columns: Iterable[str] = MASK_COLUMNS,
) -> pd.DataFrame:
    """A copy of ``df`` with codes, names and addresses unreadable; other columns untouched.

    Parameters
    ----------
    df : a result table, timeline, bin list, …; columns that are absent are skipped.
    key : the pseudonym key; default a random key fixed for this process.
    lang : language of the replacement name (``Relatie …`` / ``Relation …``).
    code_columns : columns of relation codes (pseudonymised).
    name_columns : columns of names (replaced by ``Relatie <pseudonym>`` of the row's code).
    mask_columns : columns of other identifying text (replaced by ``•••`` where filled).
    """
    out = df.copy()
    codes = [c for c in code_columns if c in out.columns]
    first_code = out[codes[0]] if codes else None
    for col in codes:
        out[col] = [None if pd.isna(v) else pseudonym(v, key) for v in out[col]]
    for col in (c for c in name_columns if c in out.columns):
        if first_code is not None:
            out[col] = [t("privacy_name", lang, code=pseudonym(c, key)) for c in first_code]
        else:
            out[col] = [None if pd.isna(v) else MASK for v in out[col]]
    for col in (c for c in mask_columns if c in out.columns):
        out[col] = [None if pd.isna(v) or v == "" else MASK for v in out[col]]
    for col in (c for c in DROP_VALUE_COLUMNS if c in out.columns):
        out[col] = float("nan")
    out.attrs = dict(df.attrs)
    return out
