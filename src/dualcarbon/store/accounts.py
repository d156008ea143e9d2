"""People's accounts in the store: sign-in names and password hashes, dashboard sessions, one-time
codes (invitations, resets), the sign-in failures the rate limit counts, and the audit log.

Secrets are never stored: a session's cookie and a one-time code are random, and only their
SHA-256 is kept; passwords are kept as argon2id hashes (argon2-cffi's ``PasswordHasher``).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.store.db import Database, Tx

Row = dict[str, Any]
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024  # argon2 hashes any length; a bound keeps a request from being a burden
CODE_DAYS = 7  # an invitation's or reset's code is valid this long
_LOGIN = re.compile(r"^[^\s/\\]{1,200}$")


def normalise_login(login: str) -> str:
    """A sign-in name as kept and compared: trimmed, in lower case (``Ann@Example.com`` = ``ann@example.com``)."""
    return login.strip().casefold()


def check_login(login: str, field: str = "login") -> str:
    """The normalised sign-in name, or an InputError naming the field and what is expected."""
    normal = normalise_login(login)
    if not _LOGIN.match(normal):
        raise InputError(Problem(None, None, field, login[:200], msg("problem.login")))
    return normal


def check_password(password: str, field: str = "password") -> None:
    """An InputError when a new password is too short or too long (the value itself is never echoed)."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InputError(
            Problem(
                None,
                None,
                field,
                None,
                f"a password of at least {MIN_PASSWORD_CHARS} characters (at most {MAX_PASSWORD_CHARS}); "
                f"this one has {len(password)}",
            )
        )


def hash_password(password: str) -> str:
    """The argon2id hash of a password (PHC string, with its salt and parameters)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False when there is no hash (none set yet)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        # the same work as a real check, so the answer's time does not tell which names exist
        PasswordHasher().hash(password)
        return False
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> datetime:
    from dualcarbon.store.repo import utcnow

    return utcnow()


class Accounts:
    """The store's methods for accounts; mixed into ``Store`` (which gives ``db``)."""

    db: Database

    # -- sign-in names and passwords ------------------------------------------------------------
    def login_taken(self, login: str) -> bool:
        with self.db.transaction() as tx:
            return tx.one("SELECT login FROM logins WHERE login = ?", [normalise_login(login)]) is not None

    def _insert_login(self, tx: Tx, org_id: str, user_id: str, login: str, password_hash: str | None) -> None:
        tx.execute(
            "INSERT INTO logins (login, user_id, org_id, password_hash, password_set_at) VALUES (?, ?, ?, ?, ?)",
            [normalise_login(login), user_id, org_id, password_hash, _now() if password_hash else None],
        )

    def set_login(self, org_id: str, user_id: str, login: str) -> None:
        """Give a user without one (made before sign-in names existed) a sign-in name."""
        with self.db.transaction(write=True) as tx:
            self._insert_login(tx, org_id, user_id, login, None)

    def password_login(self, login: str) -> Row | None:
        """The user behind a sign-in name, with the password hash: for the sign-in check only."""
        with self.db.transaction() as tx:
            return tx.one(
                "SELECT l.login, l.password_hash, u.id AS user_id, u.org_id, u.name, u.role, u.disabled "
                "FROM logins l JOIN users u ON u.id = l.user_id AND u.org_id = l.org_id WHERE l.login = ?",
                [normalise_login(login)],
            )

    def password_hash_of(self, org_id: str, user_id: str) -> str | None:
        with self.db.transaction() as tx:
            row = tx.one("SELECT password_hash FROM logins WHERE org_id = ? AND user_id = ?", [org_id, user_id])
        return None if row is None else row["password_hash"]

    def set_password(self, org_id: str, user_id: str, password_hash: str, keep_session: str | None = None) -> None:
        """A new password hash; every session of the user but ``keep_session`` ends."""
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "UPDATE logins SET password_hash = ?, password_set_at = ? WHERE org_id = ? AND user_id = ?",
                [password_hash, _now(), org_id, user_id],
            )
            self._end_sessions(tx, user_id, keep_session)

    # -- one-time codes: invitations and resets -------------------------------------------------
    def _insert_code(self, tx: Tx, org_id: str, user_id: str, purpose: str, by: str | None) -> tuple[Row, str]:
        code = secrets.token_urlsafe(24)
        now = _now()
        # a new code voids the user's earlier ones
        tx.execute("UPDATE one_time_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL", [now, user_id])
        row = {
            "id": _sha256(code),
            "org_id": org_id,
            "user_id": user_id,
            "purpose": purpose,
            "created_by": by,
            "created_at": now,
            "expires_at": now + timedelta(days=CODE_DAYS),
        }
        tx.execute(
            "INSERT INTO one_time_codes (id, org_id, user_id, purpose, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            list(row.values()),
        )
        return row, code

    def invite_user(
        self, org_id: str, name: str, login: str, email: str | None, role: str, by: str | None
    ) -> tuple[Row, Row, str]:
        """A user with a sign-in name but no password yet, and the invitation's one-time code:
        (user, code row, code)."""
        with self.db.transaction(write=True) as tx:
            user = self._insert_user(tx, org_id, name, email, role)  # type: ignore[attr-defined]
            self._insert_login(tx, org_id, user["id"], login, None)
            row, code = self._insert_code(tx, org_id, user["id"], "invitation", by)
        user["login"], user["has_password"] = normalise_login(login), False
        return user, row, code

    def reset_password(self, org_id: str, user_id: str, by: str | None) -> tuple[Row, str]:
        """Forget a user's password, end their sessions, and give a one-time code to set a new one."""
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "UPDATE logins SET password_hash = NULL, password_set_at = ? WHERE org_id = ? AND user_id = ?",
                [_now(), org_id, user_id],
            )
            self._end_sessions(tx, user_id, None)
            return self._insert_code(tx, org_id, user_id, "reset", by)

    def redeem_code(self, code: str, password_hash: str) -> Row | None:
        """Set the password of the code's user and use the code up; None when the code is unknown,
        used, expired, or its user disabled. Returns the user's ``org_id``, ``user_id``, ``login``,
        ``purpose``."""
        now = _now()
        with self.db.transaction(write=True) as tx:
            row = tx.one(
                "SELECT c.id, c.org_id, c.user_id, c.purpose, c.expires_at, c.used_at, u.disabled, l.login "
                "FROM one_time_codes c JOIN users u ON u.id = c.user_id AND u.org_id = c.org_id "
                "JOIN logins l ON l.user_id = c.user_id WHERE c.id = ?",
                [_sha256(code)],
            )
            if row is None or row["used_at"] is not None or row["expires_at"] <= now or row["disabled"]:
                return None
            tx.execute("UPDATE one_time_codes SET used_at = ? WHERE id = ?", [now, row["id"]])
            tx.execute(
                "UPDATE logins SET password_hash = ?, password_set_at = ? WHERE user_id = ?",
                [password_hash, now, row["user_id"]],
            )
            self._end_sessions(tx, row["user_id"], None)
        return row

    # -- sessions ------------------------------------------------------------------------------
    def create_session(
        self, org_id: str, user_id: str, lifetime: timedelta, client_address: str | None
    ) -> tuple[Row, str]:
        """A new session; returns (row, the cookie's secret)."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        row = {
            "id": _sha256(secret),
            "org_id": org_id,
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + lifetime,
            "client_address": client_address,
        }
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO sessions (id, org_id, user_id, created_at, last_seen_at, expires_at, client_address) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                list(row.values()),
            )
        return row, secret

    def session(self, secret: str, idle: timedelta) -> Row | None:
        """The live session a cookie's secret opens, with its user (``session_id``, ``user_id``,
        ``org_id``, ``name``, ``role``, ``expires_at``); None when unknown, ended, expired, idle too
        long, or its user disabled. Marks it seen (at most once a minute, to spare the writes)."""
        now = _now()
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT s.id AS session_id, s.last_seen_at, s.expires_at, s.ended_at, u.id AS user_id, u.org_id, "
                "u.name, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id "
                "WHERE s.id = ?",
                [_sha256(secret)],
            )
        if row is None or row["ended_at"] is not None or row["disabled"]:
            return None
        if row["expires_at"] <= now or row["last_seen_at"] + idle <= now:
            return None
        if now - row["last_seen_at"] >= timedelta(minutes=1):
            with self.db.transaction(write=True) as tx:
                tx.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [now, row["session_id"]])
        return row

    def end_session(self, session_id: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", [_now(), session_id])

    def _end_sessions(self, tx: Tx, user_id: str, keep: str | None) -> None:
        tx.execute(
            "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND id <> ?",
            [_now(), user_id, keep or ""],
        )

    # -- the sign-in rate limit ------------------------------------------------------------------
    def sign_in_failures(self, keys: list[str], since: datetime) -> dict[str, list[datetime]]:
        """The times of failed sign-ins since ``since``, by key, oldest first."""
        found: dict[str, list[datetime]] = {key: [] for key in keys}
        with self.db.transaction() as tx:
            for key in keys:
                rows = tx.all(
                    "SELECT failed_at FROM sign_in_failures WHERE key = ? AND failed_at > ? ORDER BY failed_at",
                    [key, since],
                )
                found[key] = [r["failed_at"] for r in rows]
        return found

    def record_sign_in_failure(self, keys: list[str], forget_before: datetime) -> None:
        """Count a failed sign-in under each key; failures older than ``forget_before`` are dropped."""
        now = _now()
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM sign_in_failures WHERE failed_at <= ?", [forget_before])
            for key in keys:
                tx.execute("INSERT INTO sign_in_failures (key, failed_at) VALUES (?, ?)", [key, now])

    def clear_sign_in_failures(self, key: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM sign_in_failures WHERE key = ?", [key])

    # -- the audit log ---------------------------------------------------------------------------
    def audit(
        self,
        org_id: str | None,
        user_id: str | None,
        action: str,
        object_kind: str | None = None,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
        client_address: str | None = None,
    ) -> None:
        """Record who did what to which object, when and from where."""
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO audit_log (id, org_id, user_id, action, object_kind, object_id, details_json, "
                "client_address, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    f"aud_{secrets.token_hex(8)}",
                    org_id,
                    user_id,
                    action,
                    object_kind,
                    object_id,
                    json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
                    client_address,
                    _now(),
                ],
            )

    def audit_log(self, org_id: str, limit: int, offset: int) -> tuple[list[Row], int]:
        """The organisation's audit log, newest first, with each actor's name; and how many in all."""
        with self.db.transaction() as tx:
            total = tx.one("SELECT count(*) AS n FROM audit_log WHERE org_id = ?", [org_id])
            rows = tx.all(
                "SELECT a.id, a.user_id, u.name AS user_name, a.action, a.object_kind, a.object_id, a.details_json, "
                "a.client_address, a.done_at FROM audit_log a LEFT JOIN users u ON u.id = a.user_id AND u.org_id = a.org_id "
                "WHERE a.org_id = ? ORDER BY a.done_at DESC, a.id DESC LIMIT ? OFFSET ?",
                [org_id, limit, offset],
            )
        return rows, int(total["n"]) if total else 0
