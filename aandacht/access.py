"""Permissions (S13), enforced in the library: who may see which relations, contact details,
revenue and figures per employee.

A hosted dashboard serves several people from one process. What each of them may see is decided
here, not in the user interface. The one way in is :class:`aandacht.Session` (a data set and
the :class:`Principal` of the person asking): the app, the CLI and a notebook on a server call
its methods, which apply the rules of this module (the private ``_secure_*`` functions) and
refuse, filter or strip **before** anything is returned. What a method does not return cannot
reach a browser, an export or a log.

The pieces
----------
* An **access configuration** (``access.yaml``, read by :func:`load_access`; its path from
  ``$AANDACHT_ACCESS``) maps log-in identities (a login name or e-mail address, as the log-in
  mechanism reports it) to a CRM ``user_id`` and roles. See ``docs/hosting.md`` and
  ``docs/examples/access.yaml``.
* **Roles** say what their holders may see (:class:`Role`); a person's roles are combined into one
  :class:`Principal` (frozen): the union of what the roles allow.
* The **local principal** (:func:`local_principal`) may see everything. It is used only when the
  dashboard runs locally without log-in and without access configuration
  (:func:`principal_for` with no login and no configuration).

Built-in roles (a configuration may redefine them or add its own)
-----------------------------------------------------------------
==================  ===========  ===============  =======  ==============  =================
role                relations    contact details  revenue  per employee    shared monitors
==================  ===========  ===============  =======  ==============  =================
``viewer``          all          no (counts)      no       no              no
``account_manager`` own          yes              no       no              no
``manager``         all          yes              no       yes             yes
``sales_monitor``   (adds none)  no               **yes**  no              no
``admin``           all          yes              yes      yes             yes
==================  ===========  ===============  =======  ==============  =================

``sales_monitor`` is a permission, not a view: it adds revenue and the sales view to the
relations another role of the same person makes visible (``[account_manager, sales_monitor]``
sees the revenue of their own relations).

Definitions
-----------
* **Own relations**: the relations where the person's CRM user (``user_id``) had at least one
  contact moment (by the counting rules) in the ``own_days`` days (default 365) up to and
  including the ``as_of`` of the request (today when none is given). The CRM export has no
  "account owner" column, so contact is the rule; a role or a person can add fixed B-groups
  (``b_groups``) to it. A person without ``user_id`` has no own relations.
* **Relations a principal may see**: all (any role with ``relations: all``), else the union of
  their own relations and the relations of their B-groups. A calculation measures only those
  (the selection is intersected with them, silently: a B-group then shows the visible part);
  a timeline of a relation outside them is refused.
* **Contact details**: the content of events — ``subject`` and ``body`` (and columns derived
  from them such as ``last_subject``). Without the permission these columns are removed; the
  counts, dates, channels and who-did-it stay.
* **Revenue**: amounts of orders, invoices and quotes and everything derived from them
  (``orders``, ``invoices``, ``revenue``, ``amount``, the sales view's index, bands, areas, ABC
  classes, expected contacts, the excluded list). Without ``sales_monitor`` a request that asks
  for revenue raises :class:`PermissionDenied`, and every result is stripped of such columns
  (removed, not blanked).
* **Figures per employee**: counts for a single employee other than oneself, or for a
  hand-picked list of employees, and the matrices/reports of :mod:`aandacht.who` and
  :func:`aandacht.reports.handover_report`. Without the permission a calculation may select all
  users, oneself, or a user group of at least ``min_group_size`` (default 2) members. Groups are
  the organisation's own: when two groups differ by one person, their difference is that person's
  figures — keep groups that small out of the configuration, or give fewer people the role.
* A role with ``users: self`` may only calculate its own figures (the default selection "all
  users" becomes "me").

Secrets
-------
Nothing secret is read from the configuration file (a key that looks like a password or secret is
rejected). The log-in's secrets are Panel's and come from the environment: ``PANEL_COOKIE_SECRET``
(or ``--cookie-secret "$AANDACHT_COOKIE_SECRET"``), ``PANEL_OAUTH_KEY``, ``PANEL_OAUTH_SECRET``,
``PANEL_OAUTH_ENCRYPTION``; :func:`secret_from_env` reads one with a clear error.

Examples
--------
>>> from aandacht import load, Selection, Session
>>> ds = load("data_samples")
>>> config = parse_access({"users": {"jan@example.nl": {"user_id": "JdV", "roles": ["viewer"]}}})
>>> jan = config.principal("Jan@Example.nl")
>>> jan.can_see_revenue, jan.can_see_contact_details
(False, False)
>>> res = Session(ds, jan).calculate(Selection(as_of="2026-10-31"))
>>> "revenue" in res.columns
False
>>> Session(ds, jan).calculate(Selection(as_of="2026-10-31", revenue="both"))
Traceback (most recent call last):
...
aandacht.access.PermissionDenied: jan@example.nl may not see revenue (both): it is shown only to the sales_monitor role
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .errors import AandachtError
from .selection import Selection, resolve_relations, resolve_users, to_date

__all__ = [
    "BUILTIN_ROLES",
    "AccessConfig",
    "AccessConfigError",
    "PermissionDenied",
    "Principal",
    "Role",
    "authorize_selection",
    "combine",
    "is_contact_column",
    "is_revenue_column",
    "load_access",
    "local_principal",
    "parse_access",
    "principal_for",
    "redact",
    "require",
    "secret_from_env",
    "visible_relations",
]

#: Environment variable with the path of the access configuration.
ACCESS_ENV = "AANDACHT_ACCESS"
#: Environment variable that forbids the local principal (set it on every hosted server).
REQUIRE_LOGIN_ENV = "AANDACHT_REQUIRE_LOGIN"
#: Default number of days behind "own relations".
OWN_DAYS = 365
#: Default smallest user group whose figures may be shown without the per-employee permission.
MIN_GROUP_SIZE = 2

PERMISSIONS = ("revenue", "contact_details", "employees", "share_monitors")
_WHY = {
    "revenue": "it is shown only to the sales_monitor role",
    "contact_details": "subjects and contents of contacts are shown only to roles with "
    "contact_details",
    "employees": "figures per employee are shown only to roles with employees",
    "share_monitors": "shared monitors are changed only by roles with share_monitors",
}
_WHAT = {
    "revenue": "revenue",
    "contact_details": "contact details",
    "employees": "figures per employee",
    "share_monitors": "shared monitors",
}


class PermissionDenied(AandachtError, PermissionError):
    """A request for something the principal may not see.

    Also a :class:`PermissionError`, so code that already catches that keeps working.

    Attributes
    ----------
    login : who asked.
    what : what was refused (``revenue``, ``relation R00012``, …).
    why : the rule that refuses it.
    """

    def __init__(self, login: str, what: str, why: str) -> None:
        self.login, self.what, self.why = login, what, why
        super().__init__(f"{login} may not see {what}: {why}")

    def __reduce__(self) -> tuple[Any, ...]:  # survives pickling (worker processes)
        return (type(self), (self.login, self.what, self.why))


class AccessConfigError(AandachtError):
    """An access configuration that cannot be used (names the file and the key)."""


# ----------------------------------------------------------------------------------------------
# roles and principals


@dataclass(frozen=True)
class Role:
    """What the holders of a role may see.

    Parameters
    ----------
    name : the role's name.
    all_relations : every relation is visible.
    own : the holder's own relations are visible (see the module docstring).
    own_days : the days behind "own relations" (default 365).
    b_groups : B-groups whose relations are visible.
    contact_details : subjects and contents of contacts.
    revenue : revenue and the sales view (``sales_monitor``).
    employees : figures per employee (who-matrices, hand-over report, one colleague's counts).
    share_monitors : save and delete shared monitors.
    users : ``"self"`` limits calculations to the holder's own figures; ``None`` has no opinion.
    """

    name: str
    all_relations: bool = False
    own: bool = False
    own_days: int = OWN_DAYS
    b_groups: tuple[str, ...] = ()
    contact_details: bool = False
    revenue: bool = False
    employees: bool = False
    share_monitors: bool = False
    users: str | None = None


#: The roles every configuration knows (it may redefine them).
BUILTIN_ROLES: dict[str, Role] = {
    "viewer": Role("viewer", all_relations=True),
    "account_manager": Role("account_manager", own=True, contact_details=True),
    "manager": Role(
        "manager", all_relations=True, contact_details=True, employees=True, share_monitors=True
    ),
    "sales_monitor": Role("sales_monitor", revenue=True),
    "admin": Role(
        "admin",
        all_relations=True,
        contact_details=True,
        revenue=True,
        employees=True,
        share_monitors=True,
    ),
}


@dataclass(frozen=True)
class Principal:
    """The person asking, with everything they may see (the union of their roles).

    The defaults allow nothing; :func:`local_principal` allows everything.

    Attributes
    ----------
    login : the log-in identity (lower case), or ``"local"``.
    user_id : the CRM user this person is (``None``: not a CRM user).
    name : a display name.
    roles : the names of the roles combined.
    all_relations : every relation is visible.
    own_days : "own relations" are visible, over this many days; ``None``: not.
    b_groups : B-groups whose relations are visible.
    can_see_contact_details, can_see_revenue, can_see_employees, can_share_monitors : permissions.
    users : ``"all"`` or ``"self"`` (only one's own figures).
    min_group_size : smallest user group shown without the per-employee permission.
    local : True only for the local principal (no log-in).
    """

    login: str
    user_id: str | None = None
    name: str | None = None
    roles: tuple[str, ...] = ()
    all_relations: bool = False
    own_days: int | None = None
    b_groups: tuple[str, ...] = ()
    can_see_contact_details: bool = False
    can_see_revenue: bool = False
    can_see_employees: bool = False
    can_share_monitors: bool = False
    users: str = "all"
    min_group_size: int = MIN_GROUP_SIZE
    local: bool = False

    def allows(self, permission: str) -> bool:
        """Whether this principal has ``permission`` (one of :data:`PERMISSIONS`)."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}; valid: {', '.join(PERMISSIONS)}")
        return bool(
            {
                "revenue": self.can_see_revenue,
                "contact_details": self.can_see_contact_details,
                "employees": self.can_see_employees,
                "share_monitors": self.can_share_monitors,
            }[permission]
        )

    def describe(self) -> str:
        """One line: who this is and what they may see (for a "logged in as" line or a log)."""
        if self.all_relations:
            rel = "all relations"
        else:
            parts = []
            if self.own_days is not None:
                parts.append(f"own relations ({self.own_days} days)")
            if self.b_groups:
                parts.append("B-groups " + ", ".join(self.b_groups))
            rel = " and ".join(parts) or "no relations"
        may = [_WHAT[p] for p in PERMISSIONS if self.allows(p)]
        who = self.login + (f" ({self.user_id})" if self.user_id else "")
        return f"{who}: {rel}; " + (", ".join(may) if may else "counts only")


def local_principal() -> Principal:
    """The principal of a local session without log-in: everything allowed.

    >>> local_principal().can_see_revenue
    True
    """
    return Principal(
        login="local",
        roles=("admin",),
        all_relations=True,
        can_see_contact_details=True,
        can_see_revenue=True,
        can_see_employees=True,
        can_share_monitors=True,
        local=True,
    )


def combine(
    login: str,
    roles: Iterable[Role],
    *,
    user_id: str | None = None,
    name: str | None = None,
    b_groups: Iterable[str] = (),
    min_group_size: int = MIN_GROUP_SIZE,
) -> Principal:
    """The principal holding ``roles``: the union of what they allow."""
    roles = list(roles)
    own = [r.own_days for r in roles if r.own]
    groups = list(dict.fromkeys([g for r in roles for g in r.b_groups] + list(b_groups)))
    users = {r.users for r in roles}
    return Principal(
        login=_norm_login(login),
        user_id=user_id,
        name=name,
        roles=tuple(r.name for r in roles),
        all_relations=any(r.all_relations for r in roles),
        own_days=max(own) if own else None,
        b_groups=tuple(groups),
        can_see_contact_details=any(r.contact_details for r in roles),
        can_see_revenue=any(r.revenue for r in roles),
        can_see_employees=any(r.employees for r in roles),
        can_share_monitors=any(r.share_monitors for r in roles),
        users="self" if "self" in users and "all" not in users else "all",
        min_group_size=min_group_size,
    )


def _norm_login(login: str) -> str:
    return str(login).strip().casefold()


# ----------------------------------------------------------------------------------------------
# the configuration file


@dataclass(frozen=True)
class Identity:
    """One person in the configuration: their CRM user, roles and extra B-groups."""

    login: str
    user_id: str | None
    roles: tuple[str, ...]
    name: str | None = None
    b_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessConfig:
    """A parsed access configuration (see :func:`parse_access`).

    Attributes
    ----------
    roles : role name → :class:`Role` (built-in roles, redefined or extended by the file).
    identities : normalised login (and alias) → :class:`Identity`.
    default_roles : roles of a logged-in identity that is not listed (empty: refused).
    min_group_size : see :class:`Principal`.
    source : the file it was read from, for messages.
    """

    roles: Mapping[str, Role]
    identities: Mapping[str, Identity]
    default_roles: tuple[str, ...] = ()
    min_group_size: int = MIN_GROUP_SIZE
    source: str = "access configuration"

    def principal(self, login: str) -> Principal:
        """The principal of a logged-in identity (case and surrounding blanks ignored).

        Raises
        ------
        PermissionDenied
            For an identity that is not in the configuration when there are no default roles.
        """
        key = _norm_login(login)
        ident = self.identities.get(key)
        if ident is None:
            if not self.default_roles:
                raise PermissionDenied(
                    key or "(empty login)",
                    "this dashboard",
                    f"the login is not in {self.source}; ask an administrator to add it",
                )
            return combine(
                key,
                [self.roles[r] for r in self.default_roles],
                min_group_size=self.min_group_size,
            )
        return combine(
            key,
            [self.roles[r] for r in ident.roles],
            user_id=ident.user_id,
            name=ident.name,
            b_groups=ident.b_groups,
            min_group_size=self.min_group_size,
        )

    def check(self, data: Dataset) -> list[str]:
        """Problems of this configuration against a data set (unknown user ids and B-groups).

        Unknown B-groups or users do not break anything (they make nothing visible), but they
        usually mean the configuration is out of date.
        """
        problems = []
        known_users = set(data.users["user_id"])
        known_groups = set(data.b_group_names())
        for login, ident in sorted(self.identities.items()):
            if ident.user_id is not None and ident.user_id not in known_users:
                problems.append(f"{self.source}: {login}: user_id '{ident.user_id}' is not a user")
            for g in ident.b_groups:
                if g not in known_groups:
                    problems.append(f"{self.source}: {login}: B-group '{g}' does not exist")
        for role in self.roles.values():
            for g in role.b_groups:
                if g not in known_groups:
                    problems.append(
                        f"{self.source}: role {role.name}: B-group '{g}' does not exist"
                    )
        return problems


_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api_?key|credential", re.IGNORECASE)
_ROLE_KEYS = {
    "relations",
    "own_days",
    "b_groups",
    "contact_details",
    "revenue",
    "employees",
    "share_monitors",
    "users",
    "description",
}
_USER_KEYS = {"user_id", "roles", "name", "b_groups", "aliases"}
_TOP_KEYS = {"version", "roles", "users", "default_roles", "min_group_size"}


def _no_secrets(obj: Any, where: str, source: str) -> None:
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if _SECRET_KEY.search(str(k)):
                raise AccessConfigError(
                    f"{source}: {where}{k}: secrets do not belong in the access configuration; "
                    "give them to the server in environment variables (see docs/hosting.md)"
                )
            _no_secrets(v, f"{where}{k}.", source)
    elif isinstance(obj, list):
        for v in obj:
            _no_secrets(v, where, source)


def _bool(value: Any, where: str, source: str) -> bool:
    if isinstance(value, bool):
        return value
    raise AccessConfigError(f"{source}: {where} must be true or false, not {value!r}")


def _names(value: Any, where: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AccessConfigError(f"{source}: {where} must be a list of names")
    return tuple(v.strip() for v in value)


def _unknown(keys: Iterable[str], allowed: set[str], where: str, source: str) -> None:
    bad = sorted(set(map(str, keys)) - allowed)
    if bad:
        raise AccessConfigError(
            f"{source}: {where}: unknown key(s) {', '.join(bad)}; valid: {', '.join(sorted(allowed))}"
        )


def _role(name: str, spec: Any, source: str) -> Role:
    where = f"roles.{name}"
    if not isinstance(spec, Mapping):
        raise AccessConfigError(f"{source}: {where} must be a mapping of settings")
    _unknown(spec, _ROLE_KEYS, where, source)
    rel = spec.get("relations", "none")
    all_relations = own = False
    b_groups = _names(spec.get("b_groups"), f"{where}.b_groups", source)
    if isinstance(rel, str):
        if rel not in ("all", "own", "none", "b_groups"):
            raise AccessConfigError(
                f"{source}: {where}.relations must be all, own, none, b_groups or a mapping "
                f"{{own: true, b_groups: [...]}}, not {rel!r}"
            )
        all_relations, own = rel == "all", rel == "own"
    elif isinstance(rel, Mapping):
        _unknown(rel, {"own", "b_groups", "all"}, f"{where}.relations", source)
        all_relations = _bool(rel.get("all", False), f"{where}.relations.all", source)
        own = _bool(rel.get("own", False), f"{where}.relations.own", source)
        b_groups += _names(rel.get("b_groups"), f"{where}.relations.b_groups", source)
    else:
        raise AccessConfigError(f"{source}: {where}.relations must be all, own, none or a mapping")
    own_days = spec.get("own_days", OWN_DAYS)
    if not isinstance(own_days, int) or isinstance(own_days, bool) or own_days < 1:
        raise AccessConfigError(f"{source}: {where}.own_days must be a whole number of days >= 1")
    users = spec.get("users")
    if users not in (None, "all", "self"):
        raise AccessConfigError(f"{source}: {where}.users must be all or self, not {users!r}")
    flags = {
        k: _bool(spec.get(k, False), f"{where}.{k}", source)
        for k in ("contact_details", "revenue", "employees", "share_monitors")
    }
    return Role(
        name,
        all_relations=all_relations,
        own=own,
        own_days=own_days,
        b_groups=b_groups,
        users=users,
        **flags,
    )


def parse_access(doc: Mapping[str, Any], source: str = "access configuration") -> AccessConfig:
    """Build an :class:`AccessConfig` from the parsed YAML document.

    The format (see ``docs/examples/access.yaml``)::

        version: 1
        min_group_size: 2            # optional
        default_roles: []            # roles of logged-in people not listed; [] = refused
        roles:                       # optional: redefine or add roles
          region_north:
            relations: {own: true, b_groups: [north]}
            contact_details: true
        users:
          jan@example.nl:            # the identity the log-in reports
            user_id: JdV             # the CRM user
            name: Jan de Vries
            roles: [account_manager, sales_monitor]
            b_groups: [top customers]  # extra visible relations for this person
            aliases: [jdv]           # other logins of the same person

    Raises
    ------
    AccessConfigError
        Naming the key: unknown keys, unknown roles, duplicate logins, wrong types, secrets.
    """
    if not isinstance(doc, Mapping):
        raise AccessConfigError(f"{source}: the file must hold a mapping (roles:, users:)")
    _no_secrets(doc, "", source)
    _unknown(doc, _TOP_KEYS, "top level", source)
    if doc.get("version", 1) != 1:
        raise AccessConfigError(f"{source}: version {doc.get('version')!r} is not supported (1)")
    roles = dict(BUILTIN_ROLES)
    for name, spec in (doc.get("roles") or {}).items():
        roles[str(name)] = _role(str(name), spec, source)
    mgs = doc.get("min_group_size", MIN_GROUP_SIZE)
    if not isinstance(mgs, int) or isinstance(mgs, bool) or mgs < 1:
        raise AccessConfigError(f"{source}: min_group_size must be a whole number >= 1")

    def known_roles(names: tuple[str, ...], where: str) -> tuple[str, ...]:
        bad = [r for r in names if r not in roles]
        if bad:
            raise AccessConfigError(
                f"{source}: {where}: unknown role(s) {', '.join(bad)}; "
                f"roles: {', '.join(sorted(roles))}"
            )
        return names

    default_roles = known_roles(
        _names(doc.get("default_roles"), "default_roles", source), "default_roles"
    )
    users = doc.get("users") or {}
    if not isinstance(users, Mapping):
        raise AccessConfigError(f"{source}: users must be a mapping of login → settings")
    identities: dict[str, Identity] = {}
    for login, spec in users.items():
        where = f"users.{login}"
        if not isinstance(spec, Mapping):
            raise AccessConfigError(f"{source}: {where} must be a mapping (user_id:, roles:)")
        _unknown(spec, _USER_KEYS, where, source)
        role_names = known_roles(_names(spec.get("roles"), f"{where}.roles", source), where)
        if not role_names:
            raise AccessConfigError(f"{source}: {where}: give at least one role")
        uid = spec.get("user_id")
        if uid is not None and (not isinstance(uid, str) or not uid.strip()):
            raise AccessConfigError(f"{source}: {where}.user_id must be a CRM user id (text)")
        ident = Identity(
            login=_norm_login(login),
            user_id=uid.strip() if uid else None,
            roles=role_names,
            name=spec.get("name"),
            b_groups=_names(spec.get("b_groups"), f"{where}.b_groups", source),
        )
        for key in (login, *_names(spec.get("aliases"), f"{where}.aliases", source)):
            k = _norm_login(key)
            if k in identities:
                raise AccessConfigError(f"{source}: {where}: login '{k}' is listed twice")
            identities[k] = ident
    return AccessConfig(roles, identities, default_roles, mgs, source)


def load_access(path: str | Path | None = None) -> AccessConfig | None:
    """Read an access configuration: ``path``, else ``$AANDACHT_ACCESS``; ``None`` when neither.

    Raises
    ------
    AccessConfigError
        For a missing or unreadable file, bad YAML or a bad configuration.
    """
    import yaml

    if path is None:
        path = os.environ.get(ACCESS_ENV) or None
        if path is None:
            return None
    p = Path(path)
    if not p.is_file():
        raise AccessConfigError(f"{p}: access configuration not found (check ${ACCESS_ENV})")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise AccessConfigError(f"{p}: cannot read the access configuration: {exc}") from exc
    return parse_access(doc or {}, str(p))


def principal_for(
    login: str | None,
    config: AccessConfig | None,
    *,
    require_login: bool | None = None,
) -> Principal:
    """The principal of a session: from the log-in identity and the access configuration.

    ========================  ==================  ===========================================
    login                     configuration       principal
    ========================  ==================  ===========================================
    none                      none                :func:`local_principal` (local, no log-in)
    none                      given               refused: the server requires a log-in
    given                     none                refused: log-in without configuration
    given                     given               from the configuration (or refused)
    ========================  ==================  ===========================================

    ``require_login`` (default: ``$AANDACHT_REQUIRE_LOGIN`` is set to 1/true/yes) refuses the
    local principal as well: set it on every hosted server, so that a server started without
    log-in shows nothing rather than everything.

    Raises
    ------
    PermissionDenied
        When the session may not see anything.
    """
    if require_login is None:
        require_login = os.environ.get(REQUIRE_LOGIN_ENV, "").lower() in ("1", "true", "yes")
    if login is None or not str(login).strip():
        if config is None and not require_login:
            return local_principal()
        raise PermissionDenied(
            "anonymous",
            "this dashboard",
            "this server requires a log-in (start it with --basic-auth or --oauth-provider)",
        )
    if config is None:
        raise PermissionDenied(
            _norm_login(login),
            "this dashboard",
            f"log-in is on but there is no access configuration; set ${ACCESS_ENV} to the "
            "access.yaml that maps logins to roles",
        )
    return config.principal(login)


def secret_from_env(name: str, *, min_length: int = 16) -> str:
    """A secret from the environment variable ``name``; never from a file or a default.

    Raises
    ------
    AccessConfigError
        When it is not set or shorter than ``min_length`` characters.
    """
    value = os.environ.get(name, "")
    if len(value) < min_length:
        raise AccessConfigError(
            f"${name} is not set (or shorter than {min_length} characters): give the server this "
            "secret in its environment, e.g. export "
            f'{name}="$(python -c "import secrets; print(secrets.token_urlsafe(32))")"'
        )
    return value


# ----------------------------------------------------------------------------------------------
# rules: what a principal may see


def require(principal: Principal, permission: str, what: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` has ``permission``.

    >>> require(local_principal(), "revenue")
    >>> require(Principal("piet"), "employees")
    Traceback (most recent call last):
    ...
    aandacht.access.PermissionDenied: piet may not see figures per employee: figures per employee are shown only to roles with employees
    """
    if not principal.allows(permission):
        raise PermissionDenied(principal.login, what or _WHAT[permission], _WHY[permission])


def visible_relations(
    data: Dataset,
    principal: Principal,
    as_of: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
) -> frozenset[str] | None:
    """The relation ids ``principal`` may see; ``None`` means all of them.

    Own relations are counted in the engine: relations with a contact moment by the principal's
    ``user_id`` in the ``own_days`` days up to and including ``as_of`` (default today).
    """
    if principal.all_relations:
        return None
    ids: set[str] = set()
    if principal.b_groups:
        rg = data.relation_groups
        ids |= set(rg.loc[rg["group"].isin(list(principal.b_groups)), "relation_id"].astype(str))
    if principal.own_days is not None and principal.user_id is not None:
        import ibis

        from .counting import category_conditions, day_start
        from .rules import load_rules

        end = to_date(as_of, "as_of") or dt.date.today()
        first = end - dt.timedelta(days=principal.own_days - 1)
        t = data.events
        t = t.filter(
            (t.user_id == principal.user_id)
            & (t.timestamp >= day_start(first))
            & (t.timestamp < day_start(end + dt.timedelta(days=1)))
        )
        t = t.filter(ibis.or_(*category_conditions(t, load_rules(rules)).values()))
        own = t.select("relation_id").distinct().to_pandas()["relation_id"]
        ids |= set(own.astype(str))
    return frozenset(ids)


def _check_users(
    data: Dataset, sel: Selection, principal: Principal, *, strict: bool = False
) -> Selection:
    """The selection with its users allowed for ``principal`` (or refused).

    With ``strict`` nothing is substituted (a stored result of all users is refused for a role
    that sees only its own figures).
    """
    me = principal.user_id
    if principal.users == "self":
        if me is None:
            raise PermissionDenied(
                principal.login,
                "figures",
                "the role shows only one's own figures and this login "
                "has no CRM user_id in the access configuration",
            )
        if sel.users is None and sel.user_group is None and not strict:
            return dataclasses.replace(sel, users=(me,))
        if sel.users == (me,):
            return sel
        raise PermissionDenied(
            principal.login, "the figures of other users", "the role shows only one's own figures"
        )
    if principal.can_see_employees or (sel.users is None and sel.user_group is None):
        return sel
    if sel.users is not None:
        if me is not None and set(sel.users) == {me}:
            return sel
        others = ", ".join(u for u in sel.users if u != me)
        raise PermissionDenied(
            principal.login,
            f"the figures of employee(s) {others}",
            _WHY["employees"] + "; choose all users, yourself or a user group",
        )
    members = resolve_users(data, sel) or []
    if len(members) < principal.min_group_size and not (me is not None and set(members) <= {me}):
        raise PermissionDenied(
            principal.login,
            f"the figures of user group '{sel.user_group}'",
            f"it has {len(members)} member(s), fewer than {principal.min_group_size}: those are "
            "figures per employee, " + _WHY["employees"],
        )
    return sel


def authorize_selection(
    data: Dataset,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
) -> Selection:
    """The selection ``principal`` may calculate: refused, or limited to what they may see.

    * revenue asked without ``sales_monitor``: :class:`PermissionDenied`;
    * users: see the module docstring (per-employee figures, ``users: self``);
    * relations: the selected relations (all, a B-group or codes) intersected with the visible
      ones, as explicit codes (the B-group name is then no longer part of the selection).

    Raises
    ------
    PermissionDenied
        Naming what was asked and the rule that refuses it.
    """
    sel = selection or Selection()
    if sel.revenue is not None:
        require(principal, "revenue", f"revenue ({sel.revenue})")
    sel = _check_users(data, sel, principal)
    visible = visible_relations(data, principal, sel.resolved_as_of(), rules)
    if visible is None:
        return sel
    wanted = resolve_relations(data, sel)["relation_id"].astype(str)
    ids = tuple(r for r in wanted if r in visible)
    return dataclasses.replace(sel, b_group=None, relations=ids)


# ----------------------------------------------------------------------------------------------
# columns that hold revenue or contact details


_REVENUE_NAMES = {
    "orders",
    "invoices",
    "revenue",
    "amount",
    "revenue_per_contact",
    "attention_index",
    "sales_band",
    "sales_band_key",
    "sales_band_colour",
    "sales_area",
    "sales_explanation",
    "expected_contacts",
    "contact_gap",
    "abc_class",
    "open_quote_amount",
}
_CONTACT_NAMES = {"subject", "body"}


def _kind(name: str) -> str | None:
    """``"revenue"``, ``"contact"`` or ``None`` for a canonical (lower-case) column name."""
    if name in _CONTACT_NAMES or name.endswith(("_subject", "_body")):
        return "contact"
    if name.endswith("_dgn") or name == "sales":
        return None  # contact moments in sales and their days: counts, not money
    if (
        name in _REVENUE_NAMES
        or "revenue" in name
        or name.endswith("amount")
        or name.startswith("sales_")
    ):
        return "revenue"
    return None


def is_revenue_column(name: object) -> bool:
    """Whether a column (canonical name or its Dutch/English title) holds revenue.

    >>> [is_revenue_column(c) for c in ("revenue", "Omzet (€)", "total", "sales", "Bedrag (€)")]
    [True, True, False, False, True]
    """
    n = str(name).strip().casefold()
    return _kind(n) == "revenue" or n in _titles()["revenue"]


def is_contact_column(name: object) -> bool:
    """Whether a column (canonical name or its title) holds the content of contacts.

    >>> [is_contact_column(c) for c in ("subject", "last_body", "Onderwerp", "channel")]
    [True, True, True, False]
    """
    n = str(name).strip().casefold()
    return _kind(n) == "contact" or n in _titles()["contact"]


_TITLES: dict[str, frozenset[str]] = {}


def _titles() -> dict[str, frozenset[str]]:
    """Column titles (every language) of revenue and contact columns, from :mod:`aandacht.i18n`.

    A title that some other, harmless column also has is not included.
    """
    if not _TITLES:
        from .i18n import TEXT

        found: dict[str | None, set[str]] = {"revenue": set(), "contact": set(), None: set()}
        for key, labels in TEXT.items():
            if key.startswith("col_"):
                titles = {str(v).strip().casefold() for v in labels.values()} - {""}
                found[_kind(key[4:].casefold())] |= titles
        _TITLES["revenue"] = frozenset(found["revenue"] - found[None])
        _TITLES["contact"] = frozenset(found["contact"] - found[None])
    return _TITLES


def _forbidden(principal: Principal) -> Callable[[object], bool]:
    rev, con = not principal.can_see_revenue, not principal.can_see_contact_details
    return lambda c: (rev and is_revenue_column(c)) or (con and is_contact_column(c))


def redact(obj: Any, principal: Principal) -> Any:
    """``obj`` without what ``principal`` may not see: revenue and/or contact-detail columns.

    DataFrames lose those columns (and their ``attrs['revenue']``); dicts lose those keys and
    are redacted recursively; lists and tuples element by element; anything else is returned
    as is. Rows are not filtered here (see :func:`_secure_result`).
    """
    bad = _forbidden(principal)
    if isinstance(obj, pd.DataFrame):
        drop = [c for c in obj.columns if bad(c)]
        out = obj.drop(columns=drop) if drop else obj
        if drop or (not principal.can_see_revenue and out.attrs.get("revenue")):
            out = out.copy()
            out.attrs = dict(obj.attrs)
            if not principal.can_see_revenue and "revenue" in out.attrs:
                out.attrs["revenue"] = None
        return out
    if isinstance(obj, pd.Series):
        return obj.drop([i for i in obj.index if bad(i)]) if len(obj.index) else obj
    if isinstance(obj, Mapping):
        return {k: redact(v, principal) for k, v in obj.items() if not bad(k)}
    if isinstance(obj, list | tuple):
        return type(obj)(redact(v, principal) for v in obj)
    return obj


def _keep_visible(
    df: pd.DataFrame, visible: frozenset[str] | None, column: str = "relation_id"
) -> pd.DataFrame:
    if visible is None or column not in df.columns:
        return df
    out = df[df[column].astype(str).isin(visible)]
    out.attrs = dict(df.attrs)
    return out


# ----------------------------------------------------------------------------------------------
# the secure entry points


def _secure_calculate(
    data: Dataset,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
    *,
    count: Callable[..., pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """:func:`aandacht.calculate` for ``principal``.

    ``count(data, selection, rules)`` does the counting of the authorized selection (default
    :func:`aandacht.calculate`; :class:`aandacht.DataService` passes its incremental one).

    Revenue asked without ``sales_monitor`` raises :class:`PermissionDenied`; the measured
    relations are the selected ones that the principal may see; the users are checked (per-
    employee figures). The result never has revenue columns without the role (``orders``,
    ``invoices``, ``revenue`` are absent, not empty). ``attrs`` keep the selection as asked
    (``b_group``, ``relations_selected``) and add ``principal`` and ``restricted`` (whether
    relations were left out because they are not visible).

    Raises
    ------
    PermissionDenied
        For revenue without the role, or figures per employee without the permission.
    SelectionError
        For a selection that cannot be measured (as :func:`aandacht.calculate`).
    """
    from .engine import calculate

    sel = selection or Selection()
    allowed = authorize_selection(data, sel, principal, rules)
    result = (count or calculate)(data, allowed, rules)
    result = redact(result, principal)  # belt and braces: nothing forbidden, ever
    restricted = allowed.relations is not None and len(allowed.relations) < len(
        resolve_relations(data, sel)
    )
    result.attrs.update(
        {
            "b_group": sel.b_group,
            "relations_selected": sel.relations is not None,
            "principal": principal.login,
            "restricted": restricted,
        }
    )
    return result


def _secure_result(
    result: pd.DataFrame,
    data: Dataset,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """A stored (or otherwise obtained) result table made fit for ``principal``.

    For results that were not calculated for this principal — the last calculation in a store,
    a shared monitor's result: revenue and contact columns are removed, rows of relations the
    principal may not see are left out (own relations as of the result's ``as_of``), and a result
    of one employee's figures is refused without the per-employee permission.

    Raises
    ------
    PermissionDenied
        When the result shows figures per employee that the principal may not see.
    """
    attrs = result.attrs
    users = attrs.get("users")
    if attrs.get("user_group") is not None:
        asked = Selection(user_group=attrs["user_group"])
    else:
        asked = Selection(users=tuple(users) if users is not None else None)
    _check_users(data, asked, principal, strict=True)
    visible = visible_relations(data, principal, attrs.get("as_of"), rules)
    out = _keep_visible(redact(result, principal), visible)
    if out is result:
        out = result.copy()
        out.attrs = dict(attrs)
    if visible is not None:
        out = out.reset_index(drop=True)
        out.attrs.update({"n_relations": len(out), "restricted": True})
        out.attrs["principal"] = principal.login
    return out


def _check_relation(
    data: Dataset,
    relation_id: str,
    principal: Principal,
    as_of: dt.date | str | None,
    rules: pd.DataFrame | str | None,
) -> None:
    visible = visible_relations(data, principal, as_of, rules)
    if visible is not None and str(relation_id).strip() not in visible:
        raise PermissionDenied(
            principal.login,
            f"relation {str(relation_id).strip()}",
            "it is not one of the relations this login may see (own relations or its B-groups)",
        )


def _secure_timeline(
    data: Dataset,
    relation_id: str,
    principal: Principal,
    *,
    period_from: dt.date | str | None = None,
    period_to: dt.date | str | None = None,
    users: list[str] | None = None,
    user_group: str | None = None,
    as_of: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """:func:`aandacht.timeline` for ``principal``.

    A relation the principal may not see is refused; the users are checked as for a calculation
    (an explicit list of other employees needs the per-employee permission). Without contact
    details the ``subject`` and ``body`` columns are removed; without ``sales_monitor`` the
    ``amount`` column is removed (the events themselves, e.g. an invoice, stay: they are part of
    the history).

    Raises
    ------
    PermissionDenied
        For a relation that is not visible or users that may not be shown.
    """
    from .engine import timeline

    _check_relation(data, relation_id, principal, as_of, rules)
    sel = _check_users(
        data,
        Selection(users=tuple(users) if users else None, user_group=user_group),
        principal,
    )
    tl = timeline(
        data,
        relation_id,
        period_from=period_from,
        period_to=period_to,
        users=list(sel.users) if sel.users else None,
        user_group=sel.user_group,
        as_of=as_of,
        rules=rules,
    )
    return redact(tl, principal)


def _secure_sales_view(result: pd.DataFrame, principal: Principal, *args: Any, **kwargs: Any):
    """:func:`aandacht.sales.sales_view` for ``principal``: only with ``sales_monitor``.

    Raises
    ------
    PermissionDenied
        Without the role (whatever ``result`` holds).
    """
    from .sales import sales_view

    require(principal, "revenue", "the sales view")
    return sales_view(result, *args, **kwargs)


def _is_sales_sheet(name: str) -> bool:
    from .i18n import TEXT

    titles = {str(v).casefold() for v in TEXT.get("sheet_excluded", {}).values()}
    return str(name).casefold() in titles | {"excluded"}


def _secure_export(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    principal: Principal,
    fills: Mapping[str, Mapping[str, Callable[[object], str | None]]] | None = None,
) -> Path:
    """:func:`aandacht.export.write_xlsx` for ``principal``.

    Every sheet loses the columns the principal may not see, whether named canonically
    (``revenue``, ``subject``) or by their Dutch/English titles (``Omzet (€)``, ``Onderwerp``);
    without ``sales_monitor`` the sheet of relations excluded from the sales view (defined by
    their revenue) is left out. Text stays formula-safe as in ``write_xlsx``.

    Rows are written as given: build them from :func:`_secure_calculate` / :func:`_secure_result`
    so that they hold only visible relations.
    """
    from .export import write_xlsx

    safe: dict[str, pd.DataFrame] = {}
    for name, df in sheets.items():
        if not principal.can_see_revenue and _is_sales_sheet(name):
            continue
        safe[name] = redact(df, principal)
    return write_xlsx(path, safe, fills=fills)


# guards for who.py, reports.py, answers.py


def _authorized(
    data: Dataset, selection: Selection | None, principal: Principal, rules: Any
) -> Selection:
    return authorize_selection(data, selection, principal, rules)


def _secure_contacts_per_employee(
    data: Dataset,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """:func:`aandacht.who.contacts_per_employee` for ``principal`` (needs ``employees``)."""
    from . import who

    require(principal, "employees")
    sel = _authorized(data, selection, principal, rules)
    return who.contacts_per_employee(data, sel, rules)


def _secure_employee_relation_matrix(
    data: Dataset,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """:func:`aandacht.who.employee_relation_matrix` for ``principal`` (needs ``employees``)."""
    from . import who

    require(principal, "employees")
    sel = _authorized(data, selection, principal, rules)
    return who.employee_relation_matrix(data, sel, rules)


def _secure_single_point_of_contact(
    data: Dataset,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
    *,
    user: str | None = None,
) -> pd.DataFrame:
    """:func:`aandacht.who.single_point_of_contact` for ``principal`` (needs ``employees``)."""
    from . import who

    require(principal, "employees")
    sel = _authorized(data, selection, principal, rules)
    return who.single_point_of_contact(data, sel, rules, user=user)


def _secure_department_band_matrix(
    data: Dataset,
    result: pd.DataFrame,
    selection: Selection | None,
    principal: Principal,
    rules: pd.DataFrame | str | None = None,
    *,
    measure: str = "contacts",
) -> pd.DataFrame:
    """:func:`aandacht.who.department_band_matrix` for ``principal``.

    Departments only, so no per-employee permission is needed; the relations are limited to the
    visible ones (and ``result`` to those too).
    """
    from . import who

    sel = _authorized(data, selection, principal, rules)
    visible = visible_relations(data, principal, sel.resolved_as_of(), rules)
    return who.department_band_matrix(
        data, _keep_visible(result, visible), sel, rules, measure=measure
    )


def _secure_handover_report(data: Dataset, user: str, principal: Principal, **kwargs: Any):
    """:func:`aandacht.reports.handover_report` for ``principal`` (needs ``employees``).

    The report's tables keep only visible relations; contact details and quote amounts are
    removed without their permissions.
    """
    from .reports import handover_report

    require(principal, "employees", "the hand-over report (figures per employee)")
    rep = handover_report(data, user, **kwargs)
    return _secure_report(rep, data, principal, kwargs.get("as_of"), kwargs.get("rules"))


def _secure_catchup_report(
    data: Dataset, me: str | None, since: dt.date | str, principal: Principal, **kwargs: Any
):
    """:func:`aandacht.reports.catchup_report` for ``principal``.

    ``me`` defaults to the principal's ``user_id``; someone else's catch-up needs the
    per-employee permission. Only visible relations; contact details and amounts are removed
    without their permissions.
    """
    from .reports import catchup_report

    me = me or principal.user_id
    if me is None:
        raise PermissionDenied(
            principal.login, "a catch-up report", "this login has no CRM user_id to report on"
        )
    if me != principal.user_id:
        require(principal, "employees", f"the catch-up report of {me}")
    rep = catchup_report(data, me, since, **kwargs)
    return _secure_report(rep, data, principal, kwargs.get("as_of"), kwargs.get("rules"))


def _secure_report(rep: Any, data: Dataset, principal: Principal, as_of: Any, rules: Any) -> Any:
    visible = visible_relations(data, principal, as_of, rules)
    changes = {}
    for f in dataclasses.fields(rep):
        value = getattr(rep, f.name)
        if isinstance(value, pd.DataFrame):
            changes[f.name] = _keep_visible(redact(value, principal), visible).reset_index(
                drop=True
            )
    return dataclasses.replace(rep, **changes)


def _secure_answers(
    data: Dataset,
    relation_id: str,
    since: dt.date | str,
    principal: Principal,
    **kwargs: Any,
) -> dict[str, Any]:
    """:func:`aandacht.answers.answers` for ``principal``: about a visible relation, as ``me``.

    The top-customer answer (revenue) only with ``sales_monitor``; subjects and texts only with
    contact details.
    """
    from .answers import answers

    if principal.user_id is None:
        raise PermissionDenied(
            principal.login, "direct answers", "this login has no CRM user_id ('me')"
        )
    _check_relation(data, relation_id, principal, kwargs.get("as_of"), kwargs.get("rules"))
    kwargs.pop("sales_permission", None)
    out = answers(
        data,
        relation_id,
        principal.user_id,
        since,
        sales_permission=principal.can_see_revenue,
        **kwargs,
    )
    return redact(out, principal)
