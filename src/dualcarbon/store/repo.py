"""The store's repository: every read and write of the API, as parameterised SQL.

Everything an organisation owns is read and changed through methods that take its ``org_id``
and put it in the ``WHERE`` clause, so an id of another organisation finds nothing. Rows come
back as dicts; times are naive UTC ``datetime``s.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from dualcarbon import __version__
from dualcarbon.store.accounts import Accounts
from dualcarbon.store.assurance import Assurance
from dualcarbon.store.collection import Collection
from dualcarbon.store.db import Database, Tx, connect
from dualcarbon.store.migrate import migrate

ROLES = ("viewer", "editor", "admin")
KINDS = (
    "settings",
    "activities",
    "credits",
    "factors",
    "sinks",
    "measures",
    "indicators",
    "documents",
    "processes",
    "exchanges",
    "holdings",
    "units",
    "generation",
    "instruments",
    "prices",
)
# Kinds of which a run reads only the latest batch (the project folder holds one such file).
SINGLE_KINDS = (
    "settings",
    "credits",
    "sinks",
    "measures",
    "indicators",
    "processes",
    "exchanges",
    "units",
    "generation",
)
# the latest batch of each file name is current: documents, holdings (and the files [financed] names), the
# instruments and carbon price files [pathway] names
NAMED_KINDS = ("documents", "holdings", "instruments", "prices")
TOKEN_PREFIX = "dct"
Row = dict[str, Any]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


# Blobs over this size are kept in parts of this size (migration 0005): never one value of a run's
# emissions.parquet of hundreds of MB in memory, nor one over PostgreSQL's 1 GB bytea limit.
CHUNK_BYTES = 8 * 1024 * 1024


class BlobReader(io.RawIOBase):
    """A blob kept in parts, read as a seekable file: each part is fetched when a read reaches it
    (the last one kept for the next read). ``parts_read`` counts the fetches."""

    def __init__(self, store: Any, digest: str, size: int, part_bytes: int):
        self._store, self._digest, self._size, self._part_bytes = store, digest, size, part_bytes
        self._pos = 0
        self._part: tuple[int, bytes] = (-1, b"")
        self.parts_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            seq, at = divmod(self._pos, self._part_bytes)
            if self._part[0] != seq:
                self._part = (seq, self._store.blob_part(self._digest, seq))
                self.parts_read += 1
            take = min(len(view) - done, len(self._part[1]) - at)
            if take <= 0:
                raise OSError(f"blob {self._digest}: part {seq} is shorter than its place says")
            view[done : done + take] = self._part[1][at : at + take]
            done += take
            self._pos += take
        return done


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_token(token: str) -> tuple[str, str] | None:
    """``dct_<id>_<secret>`` → (token row id, secret); None when it is not shaped like a token."""
    prefix, _, rest = token.partition("_")
    ident, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or len(ident) != 16 or not secret:
        return None
    return f"tok_{ident}", secret


class Store(Collection, Accounts, Assurance):
    """The repository over one database (DuckDB or PostgreSQL), migrated to the latest schema.
    People's accounts (sign-in names, sessions, one-time codes, the audit log) are in store/accounts.py; locks,
    verifiers, findings, signatures and evidence in store/assurance.py; data collection (workflow members, data
    requests and their history) in store/collection.py."""

    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, location: str | Path) -> Store:
        """Connect to a DuckDB path or a PostgreSQL URL and apply pending migrations."""
        db = connect(location)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        return cls(db)

    def close(self) -> None:
        self.db.close()

    # -- organisations, users, tokens ------------------------------------------------------------
    def count_organisations(self) -> int:
        with self.db.transaction() as tx:
            return int(tx.one("SELECT count(*) AS n FROM organisations")["n"])

    def create_organisation(
        self,
        name: str,
        admin_name: str,
        admin_email: str | None = None,
        login: str | None = None,
        password_hash: str | None = None,
    ) -> tuple[Row, Row, str]:
        """A new organisation with its first user, an admin (who signs in with ``login`` and the
        password of ``password_hash`` when given); returns (organisation, user, token)."""
        org: Row = {"id": new_id("org"), "name": name, "created_at": utcnow()}
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)",
                [org["id"], org["name"], org["created_at"]],
            )
            user = self._insert_user(tx, org["id"], admin_name, admin_email, "admin")
            if login is not None:
                self._insert_login(tx, org["id"], user["id"], login, password_hash)
            _, token = self._insert_token(tx, org["id"], user["id"], "first admin token")
        user["login"], user["has_password"] = login, password_hash is not None
        return org, user, token

    def organisations(self) -> list[Row]:
        """Every organisation: for the operator's CLI, never for a request."""
        with self.db.transaction() as tx:
            return tx.all("SELECT id, name, created_at FROM organisations ORDER BY created_at, id")

    def organisation(self, org_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one("SELECT id, name, created_at FROM organisations WHERE id = ?", [org_id])

    def rename_organisation(self, org_id: str, name: str) -> Row | None:
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE organisations SET name = ? WHERE id = ?", [name, org_id])
            return tx.one("SELECT id, name, created_at FROM organisations WHERE id = ?", [org_id])

    def _insert_user(self, tx: Tx, org_id: str, name: str, email: str | None, role: str) -> Row:
        user = {
            "id": new_id("usr"),
            "org_id": org_id,
            "name": name,
            "email": email,
            "role": role,
            "disabled": False,
            "created_at": utcnow(),
        }
        tx.execute(
            "INSERT INTO users (id, org_id, name, email, role, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            list(user.values()),
        )
        return user

    def create_user(self, org_id: str, name: str, email: str | None, role: str) -> tuple[Row, str]:
        """A user of the organisation and their first token."""
        with self.db.transaction(write=True) as tx:
            user = self._insert_user(tx, org_id, name, email, role)
            _, token = self._insert_token(tx, org_id, user["id"], "first token")
        return user, token

    _USER = (
        "SELECT u.id, u.org_id, u.name, u.email, u.role, u.disabled, u.created_at, l.login, "
        "l.password_hash IS NOT NULL AS has_password FROM users u LEFT JOIN logins l ON l.user_id = u.id"
    )

    def users(self, org_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return tx.all(f"{self._USER} WHERE u.org_id = ? ORDER BY u.created_at, u.id", [org_id])

    def user(self, org_id: str, user_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._USER} WHERE u.org_id = ? AND u.id = ?", [org_id, user_id])

    def update_user(
        self, org_id: str, user_id: str, role: str | None = None, disabled: bool | None = None
    ) -> Row | None:
        """Change a user's role or disable them; disabling ends their sessions (their tokens stop
        working too: ``authenticate`` refuses a disabled user's)."""
        with self.db.transaction(write=True) as tx:
            if role is not None:
                tx.execute("UPDATE users SET role = ? WHERE org_id = ? AND id = ?", [role, org_id, user_id])
            if disabled is not None:
                tx.execute("UPDATE users SET disabled = ? WHERE org_id = ? AND id = ?", [disabled, org_id, user_id])
                if disabled:
                    self._end_sessions(tx, user_id, None)
            return tx.one(f"{self._USER} WHERE u.org_id = ? AND u.id = ?", [org_id, user_id])

    def _insert_token(self, tx: Tx, org_id: str, user_id: str, name: str) -> tuple[Row, str]:
        ident, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        row = {
            "id": f"tok_{ident}",
            "org_id": org_id,
            "user_id": user_id,
            "name": name,
            "created_at": utcnow(),
            "revoked_at": None,
        }
        tx.execute(
            "INSERT INTO tokens (id, org_id, user_id, name, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [row["id"], org_id, user_id, name, sha256(secret.encode()), row["created_at"]],
        )
        return row, f"{TOKEN_PREFIX}_{ident}_{secret}"

    def create_token(self, org_id: str, user_id: str, name: str) -> tuple[Row, str]:
        with self.db.transaction(write=True) as tx:
            return self._insert_token(tx, org_id, user_id, name)

    _TOKEN = "SELECT id, org_id, user_id, name, created_at, revoked_at FROM tokens"

    def tokens(self, org_id: str, user_id: str | None = None) -> list[Row]:
        with self.db.transaction() as tx:
            if user_id is None:
                return tx.all(f"{self._TOKEN} WHERE org_id = ? ORDER BY created_at, id", [org_id])
            return tx.all(f"{self._TOKEN} WHERE org_id = ? AND user_id = ? ORDER BY created_at, id", [org_id, user_id])

    def token(self, org_id: str, token_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._TOKEN} WHERE org_id = ? AND id = ?", [org_id, token_id])

    def revoke_token(self, org_id: str, token_id: str) -> Row | None:
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "UPDATE tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL",
                [utcnow(), org_id, token_id],
            )
            return tx.one(f"{self._TOKEN} WHERE org_id = ? AND id = ?", [org_id, token_id])

    def authenticate(self, token: str) -> Row | None:
        """The user a bearer token speaks for (with ``token_id``), or None: unknown, malformed,
        revoked, or its user disabled. The secret's hash is compared in constant time."""
        parsed = parse_token(token)
        if parsed is None:
            return None
        token_id, secret = parsed
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT t.id AS token_id, t.secret_sha256, t.revoked_at, u.id AS user_id, u.org_id, u.name, "
                "u.role, u.disabled FROM tokens t JOIN users u ON u.id = t.user_id AND u.org_id = t.org_id "
                "WHERE t.id = ?",
                [token_id],
            )
        if row is None or not hmac.compare_digest(row.pop("secret_sha256"), sha256(secret.encode())):
            return None
        if row["revoked_at"] is not None or row["disabled"]:
            return None
        return row

    # -- projects ----------------------------------------------------------------------------------
    _PROJECT = "SELECT id, org_id, name, created_by, created_at FROM projects"

    def create_project(self, org_id: str, name: str, user_id: str) -> Row:
        row = {"id": new_id("prj"), "org_id": org_id, "name": name, "created_by": user_id, "created_at": utcnow()}
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO projects (id, org_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                list(row.values()),
            )
        return row

    def projects(self, org_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return tx.all(f"{self._PROJECT} WHERE org_id = ? ORDER BY created_at, id", [org_id])

    def project(self, org_id: str, project_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._PROJECT} WHERE org_id = ? AND id = ?", [org_id, project_id])

    def rename_project(self, org_id: str, project_id: str, name: str) -> Row | None:
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE projects SET name = ? WHERE org_id = ? AND id = ?", [name, org_id, project_id])
            return tx.one(f"{self._PROJECT} WHERE org_id = ? AND id = ?", [org_id, project_id])

    # -- blobs and batches -------------------------------------------------------------------------
    def _put_blob(self, tx: Tx, data: bytes) -> str:
        digest = sha256(data)
        tx.execute(
            "INSERT INTO blobs (sha256, size_bytes, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            [digest, len(data), data],
        )
        return digest

    def _put_file(self, tx: Tx, path: Path) -> tuple[str, int]:
        """Keep a file as a blob: whole up to ``CHUNK_BYTES``, in parts above (read part by part,
        never whole); its hash and size."""
        size = path.stat().st_size
        if size <= CHUNK_BYTES:
            data = path.read_bytes()
            return self._put_blob(tx, data), len(data)
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if tx.one("SELECT sha256 FROM blobs WHERE sha256 = ?", [digest]) is None:
            tx.execute(
                "INSERT INTO blobs (sha256, size_bytes, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                [digest, size, b""],
            )
            with open(path, "rb") as fh:
                for seq, part in enumerate(iter(lambda: fh.read(CHUNK_BYTES), b"")):
                    tx.execute(
                        "INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [digest, seq, part],
                    )
        return digest, size

    @staticmethod
    def _blob_head(tx: Tx, digest: str) -> tuple[int, bytes | None]:
        """A blob's size, and its bytes when it is kept whole (None when it is kept in parts); KeyError
        if unknown."""
        row = tx.one("SELECT size_bytes, data FROM blobs WHERE sha256 = ?", [digest])
        if row is None:
            raise KeyError(digest)
        data = bytes(row["data"])
        return int(row["size_bytes"]), data if len(data) == row["size_bytes"] else None

    def blob(self, digest: str) -> bytes:
        """A blob's bytes, whole (a blob kept in parts is joined)."""
        with self.db.transaction() as tx:
            _, data = self._blob_head(tx, digest)
            if data is not None:
                return data
            parts = tx.all("SELECT data FROM blob_chunks WHERE sha256 = ? ORDER BY seq", [digest])
        return b"".join(bytes(p["data"]) for p in parts)

    def blob_file(self, digest: str) -> BinaryIO:
        """A blob as a seekable binary file: a blob kept in parts is fetched part by part as it is
        read (``BlobReader``), so that a Parquet reader takes its footer and a few row groups only."""
        with self.db.transaction() as tx:
            size, data = self._blob_head(tx, digest)
            if data is not None:
                return io.BytesIO(data)
            first = tx.one("SELECT octet_length(data) AS n FROM blob_chunks WHERE sha256 = ? AND seq = 0", [digest])
        assert first is not None, f"blob {digest} has no parts"
        return io.BufferedReader(BlobReader(self, digest, size, int(first["n"])))

    def blob_part(self, digest: str, seq: int) -> bytes:
        with self.db.transaction() as tx:
            row = tx.one("SELECT data FROM blob_chunks WHERE sha256 = ? AND seq = ?", [digest, seq])
        if row is None:
            raise KeyError((digest, seq))
        return bytes(row["data"])

    _BATCH = (
        "SELECT b.id, b.org_id, b.project_id, b.kind, b.filename, b.sha256, b.size_bytes, b.rows, b.uploaded_by, "
        "b.uploaded_at, w.withdrawn_at, w.withdrawn_by FROM batches b LEFT JOIN batch_withdrawals w ON w.batch_id = b.id"
    )

    @staticmethod
    def new_batch(
        org_id: str, project_id: str, kind: str, filename: str, data: bytes, rows: int | None, user_id: str
    ) -> Row:
        """The row of an upload about to be kept, with its content (``data``, not a column)."""
        return {
            "id": new_id("bat"),
            "org_id": org_id,
            "project_id": project_id,
            "kind": kind,
            "filename": filename,
            "sha256": sha256(data),
            "size_bytes": len(data),
            "rows": rows,
            "uploaded_by": user_id,
            "uploaded_at": utcnow(),
            "withdrawn_at": None,
            "withdrawn_by": None,
            "data": data,
        }

    def _insert_batch(self, tx: Tx, row: Row) -> None:
        self._put_blob(tx, row.pop("data"))
        tx.execute(
            "INSERT INTO batches (id, org_id, project_id, kind, filename, sha256, size_bytes, rows, "
            "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            list(row.values())[:10],
        )

    def add_batch(
        self, org_id: str, project_id: str, kind: str, filename: str, data: bytes, rows: int | None, user_id: str
    ) -> Row:
        """Keep an uploaded file, immutable, with its content hash and uploader."""
        row = self.new_batch(org_id, project_id, kind, filename, data, rows, user_id)
        with self.db.transaction(write=True) as tx:
            self._insert_batch(tx, row)
        return row

    def batches(self, org_id: str, project_id: str, kind: str | None = None) -> list[Row]:
        sql, params = f"{self._BATCH} WHERE b.org_id = ? AND b.project_id = ?", [org_id, project_id]
        if kind is not None:
            sql, params = sql + " AND b.kind = ?", [*params, kind]
        with self.db.transaction() as tx:
            return tx.all(sql + " ORDER BY b.uploaded_at, b.id", params)

    def batch(self, org_id: str, batch_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._BATCH} WHERE b.org_id = ? AND b.id = ?", [org_id, batch_id])

    def withdraw_batch(self, org_id: str, batch_id: str, user_id: str) -> Row | None:
        """Leave a batch out of later runs (a row of ``batch_withdrawals``: the batch itself, which
        runs may reference, is never updated). Withdrawing it again changes nothing. ``Frozen`` when a locked
        run read it."""
        with self.db.transaction(write=True) as tx:
            self.guard_batch(tx, org_id, batch_id)
            tx.execute(
                "INSERT INTO batch_withdrawals (batch_id, withdrawn_at, withdrawn_by) "
                "SELECT id, ?, ? FROM batches WHERE org_id = ? AND id = ? ON CONFLICT (batch_id) DO NOTHING",
                [utcnow(), user_id, org_id, batch_id],
            )
            return tx.one(f"{self._BATCH} WHERE b.org_id = ? AND b.id = ?", [org_id, batch_id])

    def current_inputs(self, org_id: str, project_id: str) -> list[Row]:
        """The batches a new run reads: the latest settings, credits, sinks, measures and indicators, the latest
        document of each file name, every activities and factors batch; withdrawn ones left out.
        In upload order."""
        live = [b for b in self.batches(org_id, project_id) if b["withdrawn_at"] is None]
        latest = {b["kind"]: b for b in live if b["kind"] in SINGLE_KINDS}
        # documents and holdings files (holdings.csv, the benchmark, the comparison year): the latest of each name
        named = {(b["kind"], b["filename"]): b for b in live if b["kind"] in NAMED_KINDS}

        def current(b: Row) -> bool:
            if b["kind"] in SINGLE_KINDS:
                return latest[b["kind"]] is b
            return named[(b["kind"], b["filename"])] is b if b["kind"] in NAMED_KINDS else True

        return [b for b in live if current(b)]

    # -- runs ---------------------------------------------------------------------------------------
    _RUN = (
        "SELECT id, org_id, project_id, kind, status, step, steps_done, steps_total, options_json, inputs_sha256, "
        "factor_sets_json, dualcarbon_version, error_json, reproduces, created_by, created_at, started_at, "
        "finished_at FROM runs"
    )

    def create_run(
        self,
        org_id: str,
        project_id: str,
        kind: str,
        options: dict,
        inputs: Sequence[tuple[Row, str]],
        user_id: str,
        steps_total: int,
        reproduces: str | None = None,
    ) -> Row:
        """A queued run of ``inputs`` ((batch, path in the project folder) pairs)."""
        digest = sha256("\n".join(f"{path}\t{batch['sha256']}" for batch, path in inputs).encode())
        run_id = new_id("run")
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO runs (id, org_id, project_id, kind, status, steps_done, steps_total, options_json, "
                "inputs_sha256, dualcarbon_version, reproduces, created_by, created_at) "
                "VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    org_id,
                    project_id,
                    kind,
                    steps_total,
                    json.dumps(options, sort_keys=True),
                    digest,
                    __version__,
                    reproduces,
                    user_id,
                    utcnow(),
                ],
            )
            for position, (batch, path) in enumerate(inputs):
                tx.execute(
                    "INSERT INTO run_inputs (run_id, batch_id, position, path) VALUES (?, ?, ?, ?)",
                    [run_id, batch["id"], position, path],
                )
            return tx.one(f"{self._RUN} WHERE id = ?", [run_id])

    def run(self, org_id: str, run_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._RUN} WHERE org_id = ? AND id = ?", [org_id, run_id])

    def run_by_id(self, run_id: str) -> Row | None:
        """A run whatever its organisation: for the server's own workers, never for a request."""
        with self.db.transaction() as tx:
            return tx.one(f"{self._RUN} WHERE id = ?", [run_id])

    def runs(self, org_id: str, project_id: str, limit: int, offset: int) -> tuple[list[Row], int]:
        with self.db.transaction() as tx:
            total = tx.one("SELECT count(*) AS n FROM runs WHERE org_id = ? AND project_id = ?", [org_id, project_id])
            rows = tx.all(
                f"{self._RUN} WHERE org_id = ? AND project_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                [org_id, project_id, limit, offset],
            )
        return rows, int(total["n"])

    def run_inputs(self, org_id: str, run_id: str) -> list[Row]:
        """The batches of a run with their place in the project folder, in order."""
        with self.db.transaction() as tx:
            return tx.all(
                "SELECT i.path, i.position, b.id, b.kind, b.filename, b.sha256, b.size_bytes, b.rows, b.uploaded_by, "
                "b.uploaded_at FROM run_inputs i JOIN batches b ON b.id = i.batch_id AND b.org_id = ? "
                "WHERE i.run_id = ? ORDER BY i.position",
                [org_id, run_id],
            )

    def claim_run(self, run_id: str) -> bool:
        """Mark a queued run as running; False when another worker took it first."""
        with self.db.transaction(write=True) as tx:
            return (
                tx.execute(
                    "UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
                    [utcnow(), run_id],
                )
                == 1
            )

    def run_progress(self, run_id: str, step: str, steps_done: int) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE runs SET step = ?, steps_done = ? WHERE id = ?", [step, steps_done, run_id])

    def finish_run(
        self, run_id: str, outputs: dict[str, bytes | Path] | None, factor_sets: list | None, error: dict | None
    ) -> None:
        """Store a run's outputs (succeeded), as bytes or as files (read part by part when large:
        ``_put_file``), or its error (failed)."""
        status = "failed" if error is not None else "succeeded"
        with self.db.transaction(write=True) as tx:
            for name, data in sorted((outputs or {}).items()):
                if isinstance(data, Path):
                    digest, size = self._put_file(tx, data)
                else:
                    digest, size = self._put_blob(tx, data), len(data)
                tx.execute(
                    "INSERT INTO run_outputs (run_id, name, sha256, size_bytes) VALUES (?, ?, ?, ?)",
                    [run_id, name, digest, size],
                )
            tx.execute(
                "UPDATE runs SET status = ?, finished_at = ?, error_json = ?, factor_sets_json = ?, "
                "steps_done = CASE WHEN ? THEN steps_total ELSE steps_done END WHERE id = ?",
                [
                    status,
                    utcnow(),
                    None if error is None else json.dumps(error, ensure_ascii=False),
                    None if factor_sets is None else json.dumps(factor_sets, ensure_ascii=False),
                    error is None,
                    run_id,
                ],
            )

    def add_run_output(self, org_id: str, run_id: str, name: str, data: bytes) -> bool:
        """Add a file to a succeeded run's outputs under a new name (a locked or verified report); False
        when the run has a file of that name already (outputs are never replaced)."""
        with self.db.transaction(write=True) as tx:
            if tx.one("SELECT id FROM runs WHERE org_id = ? AND id = ?", [org_id, run_id]) is None:
                return False
            if tx.one("SELECT name FROM run_outputs WHERE run_id = ? AND name = ?", [run_id, name]) is not None:
                return False
            digest = self._put_blob(tx, data)
            tx.execute(
                "INSERT INTO run_outputs (run_id, name, sha256, size_bytes) VALUES (?, ?, ?, ?)",
                [run_id, name, digest, len(data)],
            )
        return True

    def run_outputs(self, org_id: str, run_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return tx.all(
                "SELECT o.name, o.sha256, o.size_bytes FROM run_outputs o JOIN runs r ON r.id = o.run_id "
                "WHERE r.org_id = ? AND o.run_id = ? ORDER BY o.name",
                [org_id, run_id],
            )

    def run_output(self, org_id: str, run_id: str, name: str) -> bytes | None:
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT o.sha256 FROM run_outputs o JOIN runs r ON r.id = o.run_id "
                "WHERE r.org_id = ? AND o.run_id = ? AND o.name = ?",
                [org_id, run_id, name],
            )
        return None if row is None else self.blob(row["sha256"])

    def queued_runs(self) -> list[str]:
        with self.db.transaction() as tx:
            return [r["id"] for r in tx.all("SELECT id FROM runs WHERE status = 'queued' ORDER BY created_at, id")]

    def fail_interrupted_runs(self) -> int:
        """Runs left 'running' by a server that stopped: failed, with the reason."""
        error = {"code": "interrupted", "message": "the server stopped during the run; start the run again"}
        with self.db.transaction(write=True) as tx:
            return tx.execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, error_json = ? WHERE status = 'running'",
                [utcnow(), json.dumps(error)],
            )
