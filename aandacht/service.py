"""One entry point per user of the data: a shared :class:`DataService` per data set and a
:class:`Session` per person asking.

The dashboard, notebooks and scripts that serve more than one person use these two instead of
calling the counting functions directly:

* :class:`DataService` — one per data set and process, shared by every session: the loaded
  :class:`~aandacht.dataset.Dataset`, the lock that lets one engine connection serve many
  sessions one query at a time, and the results that are the same for everyone who asks the same
  thing (a calculation, the trends of a selection), kept in a small cache. ``DataService.for_source``
  keeps one per data set per process.
* :class:`Session` — ``service.session(principal)``: every feature for that principal, with the
  permissions of :mod:`aandacht.access` applied on canonical column names, before anything is
  translated. The local, log-in-free session is :func:`~aandacht.access.local_principal`, which
  may see everything; a logged-in session sees only its visible relations and fields.

>>> import aandacht
>>> from aandacht.access import Principal
>>> service = DataService.for_source("data_samples")
>>> everyone = service.session()
>>> res = everyone.calculate(aandacht.Selection(as_of="2026-10-31", revenue="orders"))
>>> "revenue" in res.columns
True
>>> counts_only = service.session(Principal("piet", all_relations=True))
>>> "revenue" in counts_only.calculate(aandacht.Selection(as_of="2026-10-31")).columns
False
>>> counts_only.calculate(aandacht.Selection(as_of="2026-10-31", revenue="orders"))
Traceback (most recent call last):
...
aandacht.access.PermissionDenied: piet may not see revenue (orders): it is shown only to the sales_monitor role
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import access
from .access import Principal, local_principal
from .dataset import Dataset
from .i18n import t
from .selection import Selection, resolve_relations, resolve_users

#: Results kept per data set (calculations and trends of different selections).
CACHE_SIZE = 32


class DataService:
    """A data set shared by every session in a process, with its engine lock and caches.

    Parameters
    ----------
    data : the loaded data set.
    source : where it came from (a folder, ``.xlsx`` or URL), for messages and the registry.
    """

    _registry: dict[str, DataService] = {}
    _registry_lock = threading.Lock()

    def __init__(
        self,
        data: Dataset,
        source: str | Path | None = None,
        *,
        loader: Callable[[str], Dataset] | None = None,
        mapping: Any = None,
    ) -> None:
        self.data = data
        self.source = None if source is None else str(source)
        #: How the data set is loaded again (:meth:`reload`); default :func:`aandacht.load`.
        self.loader = loader
        #: The mapping the folder was read with (for extra events files that appear later).
        self.mapping = mapping
        #: One query at a time on the engine connection (DuckDB's is not for concurrent use).
        self.lock = threading.RLock()
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        #: Per calculation: its merged :class:`~aandacht.engine.Counts` and the batch of extra
        #: events they include; new batches are counted alone and merged (:meth:`calculate`).
        self._counts: OrderedDict[tuple, _Kept] = OrderedDict()
        #: what depends on the small tables only (:meth:`static`)
        self._static: dict[tuple, Any] = {}
        #: Raised by :meth:`invalidate`: results computed before belong to older data.
        self.version = 0
        #: The live feed's state (:mod:`aandacht.live`): when and what it last took in.
        self.live = LiveStatus()
        self._note_rejected(data)
        self._watcher: Any = None

    @classmethod
    def for_source(cls, source: str | Path, loader: Callable[[str], Dataset] | None = None):
        """The process's one service of the data set at ``source`` (loaded on first use).

        By default a folder is loaded with ``extras="skip"``: an extra events file with problems
        is left out and reported in :attr:`live` ``.rejected``, and the rest is served.
        """
        key = str(source)
        with cls._registry_lock:
            service = cls._registry.get(key)
            if service is None:
                if loader is None:
                    loader = _lenient_load
                service = cls._registry[key] = cls(loader(key), key, loader=loader)
            return service

    @classmethod
    def forget(cls, source: str | Path | None = None) -> None:
        """Drop the registered service of ``source`` (or all): the next use loads again."""
        with cls._registry_lock:
            if source is None:
                cls._registry.clear()
            else:
                cls._registry.pop(str(source), None)

    def session(self, principal: Principal | None = None) -> Session:
        """A :class:`Session` on this data set for ``principal`` (default: the local one)."""
        return Session(self, principal)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` under the engine lock."""
        with self.lock:
            return fn(*args, **kwargs)

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, else ``compute()`` (under the lock) and keep it.

        DataFrames are returned as copies, so that no caller changes what others get.
        """
        with self.lock:
            key = (self.version, *key)
            if key in self._cache:
                self._cache.move_to_end(key)
                value = self._cache[key]
            else:
                value = compute()
                self._cache[key] = value
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return _copy(value)

    def static(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """As :meth:`cached`, for what depends on the data set's small tables only (relations,
        users, groups), not on its events: kept when new events arrive, forgotten on a reload."""
        with self.lock:
            if key not in self._static:
                self._static[key] = compute()
                while len(self._static) > CACHE_SIZE:
                    self._static.pop(next(iter(self._static)))
            value = self._static[key]
        return _copy(value)

    def invalidate(self) -> None:
        """Forget every cached result (the data changed)."""
        with self.lock:
            self.version += 1
            self._cache.clear()
            self._counts.clear()
            self._static.clear()

    # -- counting, incrementally (B13) ---------------------------------------------------------

    def calculate(self, data: Dataset, selection: Selection, rules: Any = None) -> pd.DataFrame:
        """:func:`aandacht.calculate`, kept per selection as partial counts and brought up to
        date by counting only the extra events taken in since (:func:`aandacht.engine.merge`).

        A selection not seen before, other rules, another day (a rolling period) or a reload
        count everything; a new batch of events costs a count of that batch only.
        """
        from . import feed
        from .engine import count, count_frame, finish, merge, refresh, relation_index

        key = _rules_key(rules)
        if data is not self.data or key is _NO_CACHE:
            return finish(data, selection, count(data, selection, rules))
        ckey = (_selection_key(selection), key)
        with self.lock:
            now = feed.batch(data)
            entry = self._counts.get(ckey)
            if entry is not None and entry.at <= now:
                if entry.at < now:
                    # the new events, in memory, counted without a query (a few ms per 1,000)
                    new = count_frame(
                        data,
                        feed.delta_frame(data, entry.at),
                        selection,
                        rules,
                        users=entry.users,
                        relations=entry.relations,
                    )
                    entry.counts = merge(entry.counts, new)
                    touched = new.per_relation["relation_id"]
                    entry.result = refresh(
                        entry.result, selection, entry.counts, touched, entry.index
                    )
                    entry.at = now
            else:
                counts = count(data, selection, rules)
                result = finish(data, selection, counts)
                for part in ("per_relation", "last"):
                    if getattr(counts, part) is not None:
                        counts.index(part)  # made now, for the first update to find its rows
                sel = selection or Selection()
                entry = _Kept(
                    counts,
                    result,
                    relation_index(result),
                    now,
                    resolve_users(data, sel),
                    resolve_relations(data, sel),
                )
                self._counts[ckey] = entry
            self._counts.move_to_end(ckey)
            while len(self._counts) > CACHE_SIZE:
                self._counts.popitem(last=False)
            out = _copy(entry.result)
        out.attrs["events_batch"] = now
        return out

    def trends(self, data: Dataset, selection: Selection, rules: Any = None) -> pd.DataFrame:
        """:func:`aandacht.trend.trends`, kept per selection and brought up to date with the
        extra events taken in since (:func:`aandacht.trend.trends_with`), as :meth:`calculate`."""
        from . import feed
        from .trend import trends, trends_with

        ckey = ("trends", _selection_key(selection), _rules_key(rules))
        with self.lock:
            now = feed.batch(data)
            entry = self._counts.get(ckey) if data is self.data else None
            if entry is not None and entry.at <= now:
                if entry.at < now:
                    entry.result = trends_with(
                        data,
                        entry.result,
                        feed.delta_frame(data, entry.at),
                        selection,
                        rules,
                        users=entry.users,
                        relations=entry.relations,
                    )
                    entry.at = now
            else:
                result = trends(data, selection, rules)
                if data is not self.data:
                    return result
                sel = selection or Selection()
                entry = _Kept(
                    None,
                    result,
                    None,
                    now,
                    resolve_users(data, sel),
                    resolve_relations(data, sel),
                )
                self._counts[ckey] = entry
            self._counts.move_to_end(ckey)
            while len(self._counts) > CACHE_SIZE:
                self._counts.popitem(last=False)
            return _copy(entry.result)

    # -- live updates (B13) --------------------------------------------------------------------

    def take_in(self, path: str | Path) -> int:
        """Add one extra events file to the data set (validated whole; see :mod:`aandacht.feed`).

        Every session sees the new events at its next question; the counts kept per selection
        are updated by counting the new events only. Returns how many events were added.

        Raises
        ------
        DataError
            When the file has any problem: nothing of it is added.
        """
        from . import feed

        with self.lock:
            n = feed.take_in(self.data, path, self.mapping)
            self._changed(n)
        return n

    def watermark(self, result: pd.DataFrame) -> dict[str, Any]:
        """What of the data set ``result`` counted (kept with a stored result, S3 / B13): the
        extra events files taken in, the batch of extra events and when the data last changed."""
        live = self.live
        return {
            "extra_files": sorted(Path(f).name for f in self.data.extra_events),
            "events_batch": int(result.attrs.get("events_batch", 0)),
            "data_updated_at": live.updated_at.isoformat() if live.updated_at else None,
        }

    def same_data(self, watermark: dict[str, Any] | None) -> bool:
        """Whether a stored result (with :meth:`watermark` ``watermark``) counted the extra
        events files the data set has now — else it is counted again before it is shown."""
        files = sorted(Path(f).name for f in self.data.extra_events)
        return (watermark or {}).get("extra_files", []) == files

    def events_between(self, before: int, after: int) -> int:
        """How many extra events the batches ``before < batch <= after`` brought."""
        from . import feed

        return feed.events_since(self.data, before) - feed.events_since(self.data, after)

    def _changed(self, n_new: int) -> None:
        """New events were added: results of other kinds are computed again when asked."""
        with self.lock:
            self.version += 1
            self._cache.clear()  # the partial counts stay: they are brought up to date
            self.live.updated_at = dt.datetime.now().replace(microsecond=0)
            self.live.new_events += n_new

    def reload(self) -> Dataset:
        """Load the data set again (a changed or removed file: a full recount).

        The old data set serves every session until the new one is loaded and valid.

        Raises
        ------
        DataError
            When the changed data set has problems; the old one is kept then.
        """
        if self.loader is None:

            def loader(source: str) -> Dataset:
                return _lenient_load(source, self.mapping)
        else:
            loader = self.loader
        if self.source is None:
            raise ValueError("a data set without a source cannot be loaded again")
        new = loader(self.source)
        with self.lock:
            self.data = new
            self.invalidate()
            self.live.rejected.clear()
            self._note_rejected(new)
            self.live.updated_at = dt.datetime.now().replace(microsecond=0)
            self.live.reloads += 1
        return new

    def _note_rejected(self, data: Dataset) -> None:
        """The extra events files the loader left out, with their problems, in :attr:`live`."""
        for path, problems in getattr(data, "rejected_events", {}).items():
            self.live.rejected[path] = [str(p) for p in problems]

    def start_live(self, interval: float = 1.0) -> bool:
        """Start the process's one watcher of this data set's feed (:mod:`aandacht.live`), if
        the source has one (a folder, or a PostgreSQL table with ``aandacht live-install``);
        True when it runs. Calling it again does nothing."""
        with self.lock:
            if self._watcher is None:
                self._watcher = _watcher_for(self, interval)
                if self._watcher is not None:
                    self._watcher.start()
            return self._watcher is not None

    def stop_live(self) -> None:
        """Stop the watcher (tests; a server that shuts down)."""
        with self.lock:
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()


def _watcher_for(service: DataService, interval: float = 1.0) -> Any:
    """The watcher that suits ``service``'s source (``None``: nothing to watch): files in a
    folder (:class:`aandacht.live.FolderWatcher`) or a PostgreSQL table with its log installed
    (:class:`aandacht.pglive.TableWatcher`)."""
    source = service.source
    if source is None:
        return None
    if "://" not in source and Path(source).is_dir():
        if getattr(service.data.con, "name", "") != "duckdb":
            return None
        from .live import FolderWatcher

        return FolderWatcher(service, Path(source), interval)
    if source.split("://", 1)[0] in ("postgres", "postgresql"):
        from .pglive import TableWatcher

        return TableWatcher.for_service(service, interval)  # None: not installed (logged)
    return None


def _lenient_load(source: str, mapping: Any = None) -> Dataset:
    """:func:`aandacht.load` for a served data set: a bad extra events file is left out; a
    PostgreSQL data set gets its live feed when it is installed (:func:`aandacht.pglive.load`)."""
    from .load import load

    if source.split("://", 1)[0] in ("postgres", "postgresql"):
        from .pglive import load as load_pg

        return load_pg(source, mapping)
    if "://" in source:
        return load(source, mapping)
    return load(source, mapping, extras="skip")


@dataclasses.dataclass
class LiveStatus:
    """What the live feed did: shown as "live · last update 13:05:12 · 4 new contact moments".

    Attributes
    ----------
    running : whether a watcher runs.
    updated_at : when events were last taken in (or the data set loaded again).
    new_events : events taken in since the data set was loaded.
    reloads : how often the data set was loaded again (a changed or removed file).
    rejected : per rejected file, the problems found (file, row, column, what to do).
    error : the last error of the watcher itself (e.g. a reload that failed).
    """

    running: bool = False
    updated_at: dt.datetime | None = None
    new_events: int = 0
    reloads: int = 0
    rejected: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    error: str = ""


@dataclasses.dataclass
class _Kept:
    """A selection's partial counts and result, as of batch ``at`` of extra events."""

    counts: Any
    result: pd.DataFrame
    index: pd.Index  # of the result's relation ids (their order never changes)
    at: int
    users: Any = None  # the selection's resolved users and relations (they stay the same
    relations: Any = None  # until the data set is loaded again)


#: Whether pandas copies on write (pandas 3; pandas 2 when switched on).
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or bool(
    pd.get_option("mode.copy_on_write") is True
)


def _copy(value: Any) -> Any:
    # pandas copies on write (always since pandas 3): a shallow copy cannot change the kept
    # frame, whatever the caller does with it (set a column, a cell; arrays come read-only)
    if isinstance(value, pd.DataFrame):
        out = value.copy(deep=not _COPY_ON_WRITE)
        out.attrs = dict(value.attrs)
        return out
    return value


def _selection_key(sel: Selection | None) -> Selection:
    """The selection with its ``as_of`` resolved (a default of "today" changes at midnight)."""
    sel = sel or Selection()
    return dataclasses.replace(sel, as_of=sel.resolved_as_of())


def _rules_key(rules: Any) -> Any:
    """A hashable key for counting rules, or ``_NO_CACHE`` for a table given by value."""
    if rules is None or isinstance(rules, str | Path):
        return None if rules is None else str(rules)
    return _NO_CACHE


_NO_CACHE = object()


def _scope(p: Principal) -> Principal:
    """What of a principal decides a calculation's result: two logins with the same scope get
    the same table (the login and name do not count; the CRM user only where it decides)."""
    personal = p.own_days is not None or p.users == "self"
    return dataclasses.replace(
        p, login="", name=None, roles=(), user_id=p.user_id if personal else None
    )


class Session:
    """Every feature of the monitor for one principal on a shared :class:`DataService`.

    Every method applies the principal's permissions (visible relations, revenue, contact
    details, figures per employee; see :mod:`aandacht.access`) and runs under the service's
    engine lock; what does not depend on the principal is computed once per data set.

    Parameters
    ----------
    service : the data set's service, or a :class:`~aandacht.dataset.Dataset` (a service of its
        own is made).
    principal : who is asking; default :func:`~aandacht.access.local_principal` (everything).
    """

    def __init__(self, service: DataService | Dataset, principal: Principal | None = None):
        self.service = service if isinstance(service, DataService) else DataService(service)
        self.principal = principal or local_principal()

    # -- what the session is -------------------------------------------------------------------

    @property
    def data(self) -> Dataset:
        """The data set (the small tables — relations, users, groups — are public to sessions)."""
        return self.service.data

    @property
    def local(self) -> bool:
        """True for the local session without log-in (everything allowed)."""
        return self.principal.local

    def may(self, permission: str) -> bool:
        """Whether the principal has ``permission`` (``revenue``, ``contact_details``,
        ``employees``, ``share_monitors``)."""
        return self.principal.allows(permission)

    def visible_relations(self, as_of: Any = None, rules: Any = None) -> frozenset[str] | None:
        """The relation ids this principal may see (``None``: all)."""
        if self.principal.all_relations:
            return None
        key = ("visible", self.principal, str(as_of or dt.date.today()), _rules_key(rules))
        return self._cached(
            key, lambda: access.visible_relations(self.data, self.principal, as_of, rules)
        )

    def _cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if _NO_CACHE in key:
            return self.service.run(compute)
        return self.service.cached(key, compute)

    def _visible(self, df: pd.DataFrame, as_of: Any, rules: Any) -> pd.DataFrame:
        out = access._keep_visible(df, self.visible_relations(as_of, rules))
        if out is not df:
            out = out.reset_index(drop=True)
            out.attrs = dict(df.attrs)
        return out

    # -- counting (S1, S2, S8) -----------------------------------------------------------------

    def calculate(self, selection: Selection | None = None, rules: Any = None) -> pd.DataFrame:
        """:func:`aandacht.calculate` for this principal (its relations only; revenue only with
        ``revenue``); the same question from the same principal is answered from the cache."""
        sel = _selection_key(selection)
        p = self.principal
        key = ("calculate", sel, _scope(p), _rules_key(rules))
        data = self.data
        out = self._cached(
            key,
            lambda: access._secure_calculate(data, sel, p, rules, count=self.service.calculate),
        )
        out.attrs["principal"] = p.login
        return out

    def result(self, result: pd.DataFrame, rules: Any = None) -> pd.DataFrame:
        """A stored result (a saved monitor, the last calculation) as this principal may see it."""
        return self.service.run(access._secure_result, result, self.data, self.principal, rules)

    def sales_view(self, result: pd.DataFrame, *args: Any, **kwargs: Any):
        """:func:`aandacht.sales.sales_view` — only with ``sales_monitor``, of the visible
        relations only, whatever ``result`` holds."""
        access.require(self.principal, "revenue", "the sales view")
        result = access._keep_visible(result, self.visible_relations(result.attrs.get("as_of")))
        return access._secure_sales_view(result, self.principal, *args, **kwargs)

    # -- one relation (S7, B7) -----------------------------------------------------------------

    def timeline(self, relation_id: str, **kwargs: Any) -> pd.DataFrame:
        """:func:`aandacht.timeline` of a visible relation, without the fields the principal may
        not see."""
        return self.service.run(
            access._secure_timeline, self.data, relation_id, self.principal, **kwargs
        )

    def activity_per_month(self, relation_id: str, **kwargs: Any) -> pd.DataFrame:
        """:func:`aandacht.history.activity_per_month` of a visible relation (counts only)."""
        from .history import activity_per_month

        def run() -> pd.DataFrame:
            access._check_relation(
                self.data, relation_id, self.principal, kwargs.get("end"), kwargs.get("rules")
            )
            return activity_per_month(self.data, relation_id, **kwargs)

        return self.service.run(run)

    def answers(
        self, relation_id: str, since: Any, *, me: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """:func:`aandacht.answers.answers` about a visible relation.

        A logged-in principal asks as its own CRM user (``me`` is ignored); the local session
        asks as ``me``. ``sales_permission`` is honoured only when the principal has revenue.
        """
        from .answers import answers

        if self.local:
            perm = bool(kwargs.pop("sales_permission", True))
            return self.service.run(
                answers, self.data, relation_id, me, since, sales_permission=perm, **kwargs
            )
        return self.service.run(
            access._secure_answers, self.data, relation_id, since, self.principal, **kwargs
        )

    # -- insights (B1, B2, B4, B6) -------------------------------------------------------------

    def trends(self, selection: Selection | None = None, rules: Any = None) -> pd.DataFrame:
        """:func:`aandacht.trend.trends` of the visible relations (computed once per selection
        for every session)."""
        from .trend import trends

        sel = _selection_key(selection)
        if _rules_key(rules) is _NO_CACHE:
            tr = self.service.run(trends, self.data, sel, rules)
        else:
            tr = self.service.trends(self.data, dataclasses.replace(sel, revenue=None), rules)
        return self._visible(tr, sel.resolved_as_of(), rules)

    def attention_drops(
        self, selection: Selection | None = None, rules: Any = None, **kwargs: Any
    ) -> pd.DataFrame:
        """:func:`aandacht.trend.attention_drops` (revenue: only with ``sales_monitor``)."""
        from .trend import attention_drops

        access.require(self.principal, "revenue", "attention drops of valuable relations")
        sel = _selection_key(selection)
        df = self.service.run(attention_drops, self.data, sel, rules, **kwargs)
        return self._visible(df, sel.resolved_as_of(), rules)

    def two_way(self, selection: Selection | None = None, rules: Any = None, **kw: Any):
        """:func:`aandacht.twoway.two_way` of the visible relations."""
        from .twoway import two_way

        sel = _selection_key(selection)
        df = self.service.run(two_way, self.data, sel, rules, **kw)
        return self._visible(access.redact(df, self.principal), sel.resolved_as_of(), rules)

    def cadence_status(self, result: pd.DataFrame, settings: Any) -> pd.DataFrame:
        """:func:`aandacht.cadence.cadence_status` of a result this session holds (of its
        visible relations only, whatever ``result`` holds)."""
        from .cadence import cadence_status, cadence_targets, validate_cadence

        cfg = validate_cadence(settings)
        data = self.data
        result = access._keep_visible(result, self.visible_relations(result.attrs.get("as_of")))
        targets = self.service.static(
            ("cadence_targets", id(data), cfg.to_csv(index=False)),
            lambda: cadence_targets(data, cfg),
        )
        return self.service.run(cadence_status, data, result, cfg, targets=targets)

    def department_band_matrix(
        self, result: pd.DataFrame, selection: Selection | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """:func:`aandacht.who.department_band_matrix` over the visible relations."""
        return self.service.run(
            access._secure_department_band_matrix,
            self.data,
            result,
            _selection_key(selection),
            self.principal,
            **kwargs,
        )

    def employee_relation_matrix(self, selection: Selection | None = None, **kwargs: Any):
        """:func:`aandacht.who.employee_relation_matrix` (needs ``employees``), visible only."""
        sel = _selection_key(selection)
        df = self.service.run(
            access._secure_employee_relation_matrix, self.data, sel, self.principal, **kwargs
        )
        return df

    def single_point_of_contact(self, selection: Selection | None = None, **kwargs: Any):
        """:func:`aandacht.who.single_point_of_contact` (needs ``employees``), visible only."""
        sel = _selection_key(selection)
        return self.service.run(
            access._secure_single_point_of_contact, self.data, sel, self.principal, **kwargs
        )

    def contacts_per_employee(self, selection: Selection | None = None, **kwargs: Any):
        """:func:`aandacht.who.contacts_per_employee` (needs ``employees``)."""
        sel = _selection_key(selection)
        return self.service.run(
            access._secure_contacts_per_employee, self.data, sel, self.principal, **kwargs
        )

    # -- reports (S15) and exports (S13) -------------------------------------------------------

    def handover_report(self, user: str, **kwargs: Any):
        """:func:`aandacht.reports.handover_report` (needs ``employees``), visible only."""
        return self.service.run(
            access._secure_handover_report, self.data, user, self.principal, **kwargs
        )

    def catchup_report(self, me: str | None, since: Any, **kwargs: Any):
        """:func:`aandacht.reports.catchup_report` — one's own (``me`` default the principal's
        CRM user), or anyone's with ``employees``; visible relations only."""
        return self.service.run(
            access._secure_catchup_report, self.data, me, since, self.principal, **kwargs
        )

    def export_monitor(
        self,
        path: str | Path,
        table: pd.DataFrame,
        banding: Any,
        sales: Any = None,
        lang: str = "nl",
        *,
        rows: Sequence[int] | None = None,
        **settings: Any,
    ) -> Path:
        """A monitor's Excel export (S12) for this principal: the grid table's rows (all, or
        the positions ``rows``), the summary, the settings and, with a sales view, the relations
        left out of it (:func:`aandacht.summary.monitor_workbook`).

        What the principal may not see goes first, on the canonical columns, before anything
        is translated: revenue (and the sales view, its summary and its sheet of left-out
        relations) without ``sales_monitor``, contact details without permission, and rows of
        relations outside its scope. ``settings``: :func:`aandacht.summary.settings_sheet`'s
        arguments (``selection``, ``data``, ``strategy``, …).
        """
        from .summary import monitor_workbook

        p = self.principal
        chosen = table if rows is None else table.iloc[sorted(rows)]
        excluded = None
        if sales is not None and "sales_area_key" in table.columns:
            excluded = table[table["sales_area_key"] == "excluded"]
        if not p.can_see_revenue:
            sales = excluded = None
            settings["revenue"] = None
        settings["show_revenue"] = p.can_see_revenue
        # rows of other relations: none come from this session's results, but a table made
        # elsewhere is filtered too (not in privacy mode: its codes are pseudonyms then)
        visible = (
            None if settings.get("privacy") else self.visible_relations(table.attrs.get("as_of"))
        )
        chosen = access._keep_visible(access.redact(chosen, p), visible)
        if excluded is not None:
            excluded = access._keep_visible(access.redact(excluded, p), visible)
        sheets, fills = monitor_workbook(
            chosen, banding, sales, lang, excluded=excluded, selected=rows is not None, **settings
        )
        # the generic guard as well: it drops the same columns again by their titles
        return access._secure_export(path, sheets, p, fills=fills)

    def export_xlsx(
        self,
        path: str | Path,
        sheets: Mapping[str, pd.DataFrame],
        fills: Mapping[str, Mapping[str, Callable[[object], str | None]]] | None = None,
    ) -> Path:
        """Write a workbook of ``sheets`` without the columns the principal may not see
        (revenue, contact details) and without rows of relations it may not see
        (a sheet with a relation id column, ``relation_id`` or its title ``Code``; the
        relations visible on the sheet's ``as_of``, else today; on a sheet in privacy mode,
        where every code is a pseudonym, by the pseudonyms of the visible codes)."""
        safe = {}
        for name, df in sheets.items():
            for col in ("relation_id", *{t("col_relation_id", lang) for lang in ("nl", "en")}):
                if col in df.columns:
                    visible = self.visible_relations(df.attrs.get("as_of"))
                    df = access._keep_visible(df, _as_on_sheet(visible, df[col]), col)
                    break
            safe[name] = df
        return access._secure_export(path, safe, self.principal, fills=fills)


def _as_on_sheet(visible: frozenset[str] | None, codes: pd.Series) -> frozenset[str] | None:
    """The visible relations as a sheet names them: by code, or — on a sheet in privacy mode,
    where every code is a pseudonym — by the pseudonyms of the visible codes (a sheet that
    mixes the two is matched by code only, so no pseudonym can stand for a hidden code)."""
    from .privacy import PSEUDONYM_PATTERN, pseudonym

    if visible is None:
        return None
    filled = codes.dropna().astype(str)
    if len(filled) and filled.str.fullmatch(PSEUDONYM_PATTERN).all():
        return frozenset(pseudonym(code) for code in visible)
    return visible


__all__ = ["CACHE_SIZE", "DataService", "LiveStatus", "Session"]
