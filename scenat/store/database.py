"""A versioned store of cases and partner submissions, through SQLAlchemy.

By default an embedded SQLite file in ``SCENAT_HOME`` (``store.sqlite``); any SQLAlchemy URL
works (``SCENAT_STORE_URL`` or ``Store(url)``), e.g. ``postgresql+psycopg://host/scenat`` for a
team server. Three tables:

- ``scenat_cases``: one row per case key, with its latest version number;
- ``scenat_versions``: every change of a case is a new, immutable version holding the whole
  case as canonical JSON (the rows of its sheets, see :func:`case_content`), who made it,
  when, why (``import``, ``merge``, ``rollback``) and from which submission;
- ``scenat_submissions``: every file a partner sent, accepted or not: the original bytes
  byte for byte, sha256, submitter, time, the rows as read, the problems found, its status
  (``valid``, ``rejected``, ``merged``).

Writes are transactions. On SQLite every transaction starts with ``BEGIN IMMEDIATE`` under a
busy timeout, in WAL mode, and is retried with back-off when the database stays locked, so
two processes writing at once are serialised instead of failing or losing a write; on a
server database the case row is locked (``SELECT ... FOR UPDATE``) while a version is
numbered and a unique (case, number) constraint backs that up.

>>> import tempfile, pathlib
>>> store = Store(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 's.sqlite'}")
>>> from scenat.paths import examples_dir
>>> from scenat.casefile.build import read_case
>>> v1 = store.import_case("bicycle", read_case(examples_dir() / "bicycle"), author="ana")
>>> v1.number, [v.action for v in store.history("bicycle")]
(1, ['import'])
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from scenat.casefile import read_case, resolve_case
from scenat.casefile.names import safe_name
from scenat.errors import InputError, Problem, ScenatError
from scenat.model.case import Case
from scenat.model.schema import ID_PATTERN
from scenat.store.content import canonical_json, case_content, content_case

T = TypeVar("T")
SCHEMA_VERSION = "1"


class StoreError(ScenatError):
    """The store is unreachable, or a write kept failing after every retry."""


class VersionConflict(ScenatError):
    """The case changed between preparing a write and committing it: prepare it again."""


def now() -> str:
    """The current time in UTC, ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_url() -> str:
    """``SCENAT_STORE_URL``, else SQLite in ``SCENAT_HOME``."""
    url = os.environ.get("SCENAT_STORE_URL")
    if url:
        return url
    from scenat.paths import scenat_home

    return f"sqlite:///{scenat_home() / 'store.sqlite'}"


# --- records ---------------------------------------------------------------------------------


@dataclass
class Version:
    """One version of a case (``content`` is loaded on request)."""

    case_key: str
    number: int
    created_at: str
    author: str
    action: str
    message: str | None
    parent: int | None
    submission_id: int | None
    sha256: str
    nodes: int
    flows: int
    content: dict[str, list[list[Any]]] | None = field(default=None, repr=False)

    def case(self) -> Case:
        if self.content is None:
            raise StoreError("this version was listed without its content")
        return content_case(self.content, f"{self.case_key} version {self.number}")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "content"}


@dataclass
class Submission:
    """A file a partner sent, as stored."""

    id: int
    case_key: str
    node: str | None
    submitter: str
    filename: str | None
    received_at: str
    size: int
    sha256: str
    status: str
    problems: list[Problem]
    base_version: int | None
    merged_version: int | None
    kept: bool  # whether the original bytes are kept (not when over the size limit)
    data: bytes | None = field(default=None, repr=False)
    parsed: dict[str, Any] | None = field(default=None, repr=False)
    flows: list[list[Any]] | None = field(default=None, repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        data = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("data", "parsed", "flows", "problems")
        }
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


# --- the store -------------------------------------------------------------------------------


def _tables() -> tuple[Any, ...]:
    from sqlalchemy import (
        BigInteger,
        Column,
        Integer,
        LargeBinary,
        MetaData,
        String,
        Table,
        Text,
        UniqueConstraint,
    )

    metadata = MetaData()
    meta = Table(
        "scenat_meta",
        metadata,
        Column("key", String(64), primary_key=True),
        Column("value", String(200), nullable=False),
    )
    cases = Table(
        "scenat_cases",
        metadata,
        Column("key", String(200), primary_key=True),
        Column("created_at", String(40), nullable=False),
        Column("latest", Integer, nullable=False),
    )
    versions = Table(
        "scenat_versions",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("case_key", String(200), nullable=False, index=True),
        Column("number", Integer, nullable=False),
        Column("created_at", String(40), nullable=False),
        Column("author", String(200), nullable=False),
        Column("action", String(20), nullable=False),
        Column("message", Text),
        Column("parent", Integer),
        Column("submission_id", Integer),
        Column("sha256", String(64), nullable=False),
        Column("nodes", Integer, nullable=False),
        Column("flows", Integer, nullable=False),
        Column("content", Text, nullable=False),
        UniqueConstraint("case_key", "number", name="uq_scenat_version_number"),
    )
    submissions = Table(
        "scenat_submissions",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("case_key", String(200), nullable=False, index=True),
        Column("node", String(200)),
        Column("submitter", String(200), nullable=False),
        Column("filename", String(255)),
        Column("received_at", String(40), nullable=False),
        Column("size", BigInteger, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("data", LargeBinary),
        Column("status", String(20), nullable=False),
        Column("problems", Text, nullable=False),
        Column("parsed", Text),
        Column("flows", Text),
        Column("base_version", Integer),
        Column("merged_version", Integer),
    )
    return metadata, meta, cases, versions, submissions


class Store:
    """Cases, their versions and partner submissions in one database.

    ``url`` is any SQLAlchemy URL (default :func:`default_url`). ``busy_timeout`` is how long
    one SQLite statement waits for another writer; ``retries`` how often a whole transaction
    is tried again when the database stays busy or a concurrent write won a race.
    """

    def __init__(self, url: str | None = None, busy_timeout: float = 30.0, retries: int = 10):
        from sqlalchemy import create_engine, event

        self.url = url or default_url()
        self.retries = retries
        self.sqlite = self.url.startswith("sqlite")
        self.path: Path | None = None  # the SQLite file, for messages
        self.read_only = False
        if self.sqlite:
            self.path = _sqlite_file(self.url)
            engine_url = self.url
            if self.path is not None:
                engine_url, self.read_only = self._open_sqlite(self.path)
            self.engine = create_engine(engine_url, connect_args={"timeout": busy_timeout})
            timeout_ms = int(busy_timeout * 1000)

            read_only = self.read_only or "mode=ro" in self.url

            @event.listens_for(self.engine, "connect")
            def _connect(dbapi_connection: Any, _record: Any) -> None:
                # Transactions are begun by hand (below), so pysqlite must not begin its own.
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
                if not read_only:
                    cursor.execute("PRAGMA journal_mode = WAL")
                    cursor.execute("PRAGMA synchronous = FULL")
                cursor.close()

            @event.listens_for(self.engine, "begin")
            def _begin(connection: Any) -> None:
                # Take the write lock up front: two deferred transactions that both read and
                # then write would deadlock, and SQLite would fail one without waiting. A
                # read-only store only reads.
                connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        (self._metadata, self._meta, self._cases, self._versions, self._subs) = _tables()
        self._run(self._create_schema)

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions -----------------------------------------------------------------------

    def _open_sqlite(self, path: Path) -> tuple[str, bool]:
        """The URL to open a SQLite store with, and whether it is read-only.

        A file or folder this process may not write is opened read-only (``history`` works
        on a read-only SCENAT_HOME); a store that does not exist must be creatable.
        """
        if path.exists():
            if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                return f"sqlite:///file:{path}?mode=ro&uri=true", True
            return self.url, False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or exc
            raise self._unusable(f"cannot create the store's folder ({reason})") from None
        if not os.access(path.parent, os.W_OK):
            raise self._unusable("cannot create the store: its folder is read-only")
        return self.url, False

    def _unusable(self, message: str, hint: str | None = None) -> InputError:
        """The store cannot be used as it is: a located error (the CLI exits 2)."""
        return InputError(
            Problem(
                message=message,
                file=str(self.path) if self.path else None,
                hint=hint
                or "check the store's file and folder (SCENAT_HOME, or --store / "
                "SCENAT_STORE_URL for another store)",
            )
        )

    def _create_schema(self, conn: Any) -> None:
        from sqlalchemy import inspect, select

        if inspect(conn).has_table(self._meta.name):
            found = conn.execute(
                select(self._meta.c.value).where(self._meta.c.key == "schema")
            ).first()
            if found is not None and found[0] != SCHEMA_VERSION:
                raise self._unusable(
                    f"this store is of schema {found[0]}; this scenat reads schema "
                    f"{SCHEMA_VERSION} and does not change it",
                    "it was written by a newer scenat: use that version, or another store "
                    "(--store / SCENAT_STORE_URL)"
                    if found[0] > SCHEMA_VERSION
                    else "it was written by an older scenat: export its cases with that version",
                )
            if found is not None or self.read_only:
                return
        elif self.read_only:
            raise self._unusable("the store is read-only and has no scenat tables")
        self._metadata.create_all(conn, checkfirst=True)
        if conn.execute(select(self._meta.c.value).where(self._meta.c.key == "schema")).first():
            return
        conn.execute(self._meta.insert().values(key="schema", value=SCHEMA_VERSION))

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self.engine.begin() as conn:
            yield conn

    def _run(self, work: Callable[[Any], T]) -> T:
        """Run ``work(connection)`` in one transaction, retried while the database is busy."""
        from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

        delay = 0.02
        for attempt in range(self.retries + 1):
            try:
                with self._transaction() as conn:
                    return work(conn)
            except (OperationalError, IntegrityError, DBAPIError) as exc:
                text = str(exc.orig if getattr(exc, "orig", None) is not None else exc).lower()
                transient = isinstance(exc, IntegrityError) or any(
                    word in text
                    for word in ("locked", "busy", "could not serialize", "deadlock", "already")
                )
                unusable = _unusable_reason(text)
                if unusable is not None:
                    raise self._unusable(unusable) from None
                if not transient or attempt == self.retries:
                    raise StoreError(
                        f"the store at {self!r} could not complete a write: {exc}"
                    ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- cases and versions -----------------------------------------------------------------

    def case_keys(self) -> list[str]:
        from sqlalchemy import select

        return self._run(
            lambda c: [r[0] for r in c.execute(select(self._cases.c.key).order_by("key"))]
        )

    def has_case(self, key: str) -> bool:
        from sqlalchemy import select

        return self._run(
            lambda c: (
                c.execute(select(self._cases.c.key).where(self._cases.c.key == key)).first()
                is not None
            )
        )

    def import_case(self, key: str, case: Case, author: str, message: str | None = None) -> Version:
        """Store ``case`` as a new version of ``key`` (version 1 of a new case).

        A case equal to the latest version is not stored twice: that version is returned.
        """
        content = case_content(case)
        return self.add_version(key, content, author, "import", message, skip_if_same=True)

    def add_version(
        self,
        key: str,
        content: dict[str, list[list[Any]]],
        author: str,
        action: str,
        message: str | None = None,
        submission_id: int | None = None,
        expected_parent: int | None = None,
        skip_if_same: bool = False,
    ) -> Version:
        """Append a version (creating the case on first use) in one transaction.

        ``expected_parent``: fail with :class:`VersionConflict` unless the latest version is that
        one (the caller prepared ``content`` from it).
        """
        _check_key(key)
        text = canonical_json(content)
        digest = hashlib.sha256(text.encode()).hexdigest()

        def work(conn: Any) -> Version:
            return self._append(
                conn,
                key,
                content,
                text,
                digest,
                author,
                action,
                message,
                submission_id,
                expected_parent,
                skip_if_same,
            )

        return self._run(work)

    def _append(
        self,
        conn: Any,
        key: str,
        content: dict[str, Any],
        text: str,
        digest: str,
        author: str,
        action: str,
        message: str | None,
        submission_id: int | None,
        expected_parent: int | None,
        skip_if_same: bool,
    ) -> Version:
        from sqlalchemy import select

        row = conn.execute(
            select(self._cases.c.latest).where(self._cases.c.key == key).with_for_update()
        ).first()
        latest = row[0] if row else 0
        if expected_parent is not None and latest != expected_parent:
            raise VersionConflict(f"{key} is at version {latest}, not {expected_parent}")
        if skip_if_same and latest:
            current = self._version_row(conn, key, latest, with_content=False)
            if current.sha256 == digest:
                return current
        number = latest + 1
        stamp = now()
        if row is None:
            conn.execute(self._cases.insert().values(key=key, created_at=stamp, latest=number))
        else:
            conn.execute(self._cases.update().where(self._cases.c.key == key).values(latest=number))
        values = dict(
            case_key=key,
            number=number,
            created_at=stamp,
            author=_short(author, 200) or "unknown",
            action=action,
            message=message,
            parent=latest or None,
            submission_id=submission_id,
            sha256=digest,
            nodes=max(len(content.get("nodes", [])) - 1, 0),
            flows=max(len(content.get("flows", [])) - 1, 0),
        )
        conn.execute(self._versions.insert().values(content=text, **values))
        return Version(**values, content=content)

    def _version_row(self, conn: Any, key: str, number: int, with_content: bool) -> Version:
        from sqlalchemy import select

        v = self._versions.c
        columns = [
            v.case_key,
            v.number,
            v.created_at,
            v.author,
            v.action,
            v.message,
            v.parent,
            v.submission_id,
            v.sha256,
            v.nodes,
            v.flows,
        ]
        if with_content:
            columns.append(v.content)
        row = conn.execute(select(*columns).where(v.case_key == key, v.number == number)).first()
        if row is None:
            raise _unknown_version(key, number)
        data = dict(row._mapping)
        content = json.loads(data.pop("content")) if with_content else None
        return Version(**data, content=content)

    def latest_number(self, key: str) -> int:
        from sqlalchemy import select

        row = self._run(
            lambda c: c.execute(
                select(self._cases.c.latest).where(self._cases.c.key == key)
            ).first()
        )
        if row is None:
            raise _unknown_case(key, self.case_keys())
        return row[0]

    def version(self, key: str, number: int | None = None) -> Version:
        """A version with its content (default: the latest)."""
        if number is None:
            number = self.latest_number(key)
        elif number == 0:
            raise InputError(
                Problem(
                    message="versions are numbered from 1; there is no version 0",
                    value=number,
                    hint="give a version number from `scenat history CASE`, or -1 for the "
                    "one before the latest",
                )
            )
        elif number < 0:  # -1: the one before the latest, and so on
            number = self.latest_number(key) + number
        return self._run(lambda c: self._version_row(c, key, number, True))

    def history(self, key: str) -> list[Version]:
        """Every version of a case, oldest first (without content)."""
        from sqlalchemy import select

        self.latest_number(key)  # an unknown case is an error, not an empty history
        v = self._versions.c
        columns = [
            v.case_key,
            v.number,
            v.created_at,
            v.author,
            v.action,
            v.message,
            v.parent,
            v.submission_id,
            v.sha256,
            v.nodes,
            v.flows,
        ]
        rows = self._run(
            lambda c: c.execute(select(*columns).where(v.case_key == key).order_by(v.number)).all()
        )
        return [Version(**dict(r._mapping)) for r in rows]

    def rollback(self, key: str, number: int, author: str, message: str | None = None) -> Version:
        """A new version whose content is that of version ``number`` (-1: the one before the
        latest); nothing is deleted. Rolling back to the latest version is refused."""
        latest = self.latest_number(key)
        old = self.version(key, number)
        if old.number == latest:
            raise InputError(
                Problem(
                    message=f"case {key!r} is already version {latest}: nothing to roll back",
                    value=number,
                    hint="`scenat history CASE` lists the versions; give an older one",
                )
            )
        old.case()  # still valid against today's catalogue?
        return self.add_version(
            key,
            old.content or {},
            author,
            "rollback",
            message or f"rolled back to version {old.number}",
        )

    # --- submissions ------------------------------------------------------------------------

    def add_submission(
        self,
        case_key: str,
        submitter: str,
        filename: str | None,
        data: bytes | None,
        size: int,
        sha256: str,
        status: str,
        problems: list[Problem],
        node: str | None = None,
        parsed: dict[str, Any] | None = None,
        flows: list[list[Any]] | None = None,
        base_version: int | None = None,
    ) -> Submission:
        values = dict(
            case_key=case_key,
            node=node,
            submitter=_short(submitter, 200),
            filename=_short(filename, 255) if filename else None,
            received_at=now(),
            size=size,
            sha256=sha256,
            status=status,
            base_version=base_version,
            merged_version=None,
        )
        stored = dict(
            values,
            data=data,
            problems=canonical_json([_problem_dict(p) for p in problems]),
            parsed=canonical_json(parsed) if parsed is not None else None,
            flows=canonical_json(flows) if flows is not None else None,
        )

        def work(conn: Any) -> int:
            return conn.execute(self._subs.insert().values(**stored)).inserted_primary_key[0]

        ident = self._run(work)
        return Submission(
            id=ident,
            problems=list(problems),
            kept=data is not None,
            data=data,
            parsed=parsed,
            flows=flows,
            **values,
        )

    def _submission(self, conn: Any, ident: int, with_data: bool) -> Submission:
        from sqlalchemy import select

        s = self._subs.c
        columns = [c for c in s if with_data or c.name not in ("data", "parsed", "flows")]
        row = conn.execute(
            select(*columns, (s.data.is_not(None)).label("kept")).where(s.id == ident)
        ).first()
        if row is None:
            raise InputError(
                Problem(
                    message=f"no submission #{ident}",
                    value=ident,
                    hint="`scenat history CASE --submissions` lists the submissions of a case",
                )
            )
        data = dict(row._mapping)
        data["problems"] = [Problem(**p) for p in json.loads(data["problems"])]
        data["kept"] = bool(data["kept"])
        for name in ("parsed", "flows"):
            if data.get(name) is not None:
                data[name] = json.loads(data[name])
        return Submission(**data)

    def submission(self, ident: int, with_data: bool = True) -> Submission:
        return self._run(lambda c: self._submission(c, ident, with_data))

    def submissions(self, case_key: str | None = None) -> list[Submission]:
        """Submissions (without their bytes), oldest first; of one case or all."""
        from sqlalchemy import select

        s = self._subs.c

        def work(conn: Any) -> list[int]:
            query = select(s.id).order_by(s.id)
            if case_key is not None:
                query = query.where(s.case_key == case_key)
            return [r[0] for r in conn.execute(query)]

        return [self.submission(i, with_data=False) for i in self._run(work)]

    def merge(
        self,
        submission_id: int,
        content: dict[str, list[list[Any]]],
        base_version: int,
        author: str,
        message: str | None = None,
    ) -> Version:
        """Store ``content`` (prepared from ``base_version``) as the merge of a submission.

        One transaction: the version is added and the submission marked ``merged``, or
        neither. Raises :class:`VersionConflict` when the case moved on since ``base_version``.
        """
        text = canonical_json(content)
        digest = hashlib.sha256(text.encode()).hexdigest()

        def work(conn: Any) -> Version:
            sub = self._submission(conn, submission_id, with_data=False)
            if sub.status != "valid":
                raise not_mergeable(sub)
            version = self._append(
                conn,
                sub.case_key,
                content,
                text,
                digest,
                author,
                "merge",
                message or f"merged submission #{sub.id} from {sub.submitter} for node {sub.node}",
                sub.id,
                base_version,
                False,
            )
            conn.execute(
                self._subs.update()
                .where(self._subs.c.id == submission_id)
                .values(status="merged", merged_version=version.number)
            )
            return version

        return self._run(work)

    def counts(self) -> dict[str, int]:
        """Row counts per table (for checks and tests)."""
        from sqlalchemy import func, select

        def work(conn: Any) -> dict[str, int]:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (self._cases, self._versions, self._subs)
            }

        return self._run(work)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///path``, ``sqlite:///file:path?...``), or None
    for an in-memory database."""
    _, sep, database = url.partition("///")
    if not sep:
        return None
    database = database.split("?", 1)[0]
    database = database[len("file:") :] if database.startswith("file:") else database
    return Path(database) if database and database != ":memory:" else None


def _unusable_reason(text: str) -> str | None:
    """What a database error says about the store itself (not a busy moment), if anything."""
    if "file is not a database" in text or "malformed" in text:
        return "this file is not a scenat store (not an SQLite database, or a damaged one)"
    if "readonly database" in text or "read-only" in text:
        return "the store is read-only: it can be read, not changed"
    if "unable to open database" in text:
        return "cannot open the store's file"
    if "disk is full" in text or "disk i/o error" in text:
        return "the store cannot be written: the disk is full or failing"
    return None


def _problem_dict(problem: Problem) -> dict[str, Any]:
    data = problem.to_dict()
    value = data.get("value")
    if isinstance(value, float) and not math.isfinite(value):
        data["value"] = str(value)  # JSON has no inf / nan
    return data


def _short(text: str | None, length: int) -> str:
    text = "".join(ch for ch in str(text or "") if ch.isprintable()).strip()
    return text[:length]


def _check_key(key: str) -> None:
    if not key or len(key) > 200 or not ID_PATTERN.match(key):
        raise InputError(
            Problem(
                message="a case key is 1 to 200 letters, digits, '-', '_' or '.'",
                value=key,
                hint="e.g. bicycle or stadium-2025",
            )
        )


def _unknown_case(key: str, known: list[str]) -> InputError:
    return InputError(
        Problem(
            message=f"no case {key!r} in the store",
            value=key,
            hint=("cases in the store: " + ", ".join(known) if known else "the store is empty")
            + "; give a case workbook, folder or example name to import it",
        )
    )


def _unknown_version(key: str, number: int) -> InputError:
    return InputError(
        Problem(
            message=f"case {key!r} has no version {number}",
            value=number,
            hint="`scenat history CASE` lists the versions",
        )
    )


def not_mergeable(sub: Submission) -> InputError:
    """The error for merging a submission that is rejected or merged already."""
    if sub.status == "merged":
        message = f"submission #{sub.id} is already merged (version {sub.merged_version})"
        hint = "nothing to do; `scenat rollback` undoes a merge"
    else:
        message = f"submission #{sub.id} was rejected and cannot be merged"
        hint = "the partner fixes the problems listed in its report and submits again"
    return InputError(Problem(message=message, value=sub.id, hint=hint))


def open_case(store: Store, text: str, author: str) -> str:
    """The key of a stored case named by ``text``: a key, or a case path / example to import.

    A path is imported once, as version 1 of the key :func:`case_key_for` gives it; after
    that the stored versions are the case. A file whose key holds another case (two
    partners' ``case.xlsx``) is refused: it is never filed under someone else's case.
    """
    if store.has_case(text):
        return text
    path = resolve_case(text)
    if not path.exists():
        raise _unknown_case(text, store.case_keys())
    key = case_key_for(path)
    case = read_case(path)
    if store.has_case(key):
        # The key comes from the file name: it is this case only if the store holds this
        # content under it (any version); another case of the same name is refused.
        digest = hashlib.sha256(canonical_json(case_content(case)).encode()).hexdigest()
        if any(v.sha256 == digest for v in store.history(key)):
            return key
        raise InputError(
            Problem(
                file=str(path),
                message=f"the store already holds a different case under the key {key!r}, "
                "which this file's name gives it",
                value=key,
                hint=f"to work on the stored case, name it by its key ({key!r}); to store "
                "this file as a case of its own, rename it (its name is its key)",
            )
        )
    store.import_case(key, case, author, f"imported from {path.name}")
    return key


def case_key_for(path: Path) -> str:
    """The store key for a case path: its file or folder name, reduced to id characters."""
    stem = path.stem if path.suffix.lower() in (".xlsx", ".xlsm", ".zip") else path.name
    return safe_name(stem, default="case", length=200)
