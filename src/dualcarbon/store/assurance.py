"""Assurance of runs in the store (migration 0007): locking a run (its report number, its inputs and
outputs frozen), the verifiers engaged on it, their findings and the replies, the signature, and
evidence files attached to batches, their rows, or other objects.

Every row is written once; nothing here updates or deletes. The signature covers the run's inputs
(paths and content hashes), its factor sets (versions and hashes) and its outputs (names and
hashes) as one SHA-256 over a text a verifier can rebuild by hand (``covered_text``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from dualcarbon.errors import DualCarbonError
from dualcarbon.store.db import Database, Tx

Row = dict[str, Any]
SEVERITIES = ("observation", "minor", "major")
TARGETS = ("run", "check", "row", "factor")
REPLY_ACTIONS = ("answer", "close", "reopen")
# Outputs that locking and signing add to a run: not part of what the verifier signs.
ASSURANCE_OUTPUTS = ("report-locked.html", "report-locked.pdf", "report-verified.html", "report-verified.pdf")
SIGNATURE_SCHEMA = "dualcarbon.signature/1"
# Serialises numbering and freezing on PostgreSQL (an arbitrary constant, not migrate's).
_PG_LOCK = 5_402_813


class Frozen(DualCarbonError):
    """Raised when a change would alter what a locked run references (a batch it read, its evidence)."""

    def __init__(self, what: str, ident: str, runs: list[str]):
        self.what, self.ident, self.runs = what, ident, runs
        super().__init__(f"{what} {ident} is used by the locked run(s) {', '.join(runs)}: it cannot be changed")


def report_number(year: int, seq: int) -> str:
    """The number a locked run's report carries: ``DC-<year>-<sequence in the organisation's year>``."""
    return f"DC-{year}-{seq:04d}"


def covered_text(covered: dict) -> str:
    """The text the signature's SHA-256 is taken over: one line per input, factor set and output."""
    lines = [SIGNATURE_SCHEMA, f"run\t{covered['run_id']}"]
    lines += [f"input\t{i['path']}\t{i['sha256']}" for i in covered["inputs"]]
    lines += [f"factor_set\t{f['dataset']}\t{f['version']}\t{f['sha256']}" for f in covered["factor_sets"]]
    lines += [f"output\t{o['name']}\t{o['sha256']}" for o in covered["outputs"]]
    return "\n".join(lines) + "\n"


def covered_sha256(covered: dict) -> str:
    return hashlib.sha256(covered_text(covered).encode("utf-8")).hexdigest()


class Assurance:
    """The store's assurance tables; mixed into ``Store`` (``self.db``)."""

    db: Database

    def _serialise(self, tx: Tx) -> None:
        if self.db.dialect == "postgresql":
            tx.one("SELECT pg_advisory_xact_lock(?)", [_PG_LOCK])

    # -- locks ------------------------------------------------------------------------------------
    _LOCK = "SELECT run_id, org_id, report_year, report_seq, report_number, locked_by, locked_at FROM run_locks"

    def lock_run(self, org_id: str, run_id: str, user_id: str, now: Any) -> Row:
        """Lock a run with the next report number of the organisation's year; the existing lock when
        it is locked already (``created`` False)."""
        with self.db.transaction(write=True) as tx:
            self._serialise(tx)
            existing = tx.one(f"{self._LOCK} WHERE org_id = ? AND run_id = ?", [org_id, run_id])
            if existing is not None:
                return {**existing, "created": False}
            year = now.year
            last = tx.one(
                "SELECT max(report_seq) AS n FROM run_locks WHERE org_id = ? AND report_year = ?", [org_id, year]
            )
            seq = int(last["n"] or 0) + 1 if last else 1
            tx.execute(
                "INSERT INTO run_locks (run_id, org_id, report_year, report_seq, report_number, locked_by, locked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, org_id, year, seq, report_number(year, seq), user_id, now],
            )
            row = tx.one(f"{self._LOCK} WHERE org_id = ? AND run_id = ?", [org_id, run_id])
        assert row is not None
        return {**row, "created": True}

    def run_lock(self, org_id: str, run_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._LOCK} WHERE org_id = ? AND run_id = ?", [org_id, run_id])

    def run_locks(self, org_id: str, run_ids: list[str]) -> dict[str, Row]:
        if not run_ids:
            return {}
        marks = ", ".join("?" for _ in run_ids)
        with self.db.transaction() as tx:
            rows = tx.all(f"{self._LOCK} WHERE org_id = ? AND run_id IN ({marks})", [org_id, *run_ids])
        return {r["run_id"]: r for r in rows}

    @staticmethod
    def _locked_runs_reading(tx: Tx, org_id: str, batch_id: str) -> list[str]:
        rows = tx.all(
            "SELECT l.run_id FROM run_inputs i JOIN run_locks l ON l.run_id = i.run_id "
            "WHERE l.org_id = ? AND i.batch_id = ? ORDER BY l.locked_at, l.run_id",
            [org_id, batch_id],
        )
        return [r["run_id"] for r in rows]

    def locked_runs_reading(self, org_id: str, batch_id: str) -> list[str]:
        """The locked runs that read a batch (which must therefore never change)."""
        with self.db.transaction() as tx:
            return self._locked_runs_reading(tx, org_id, batch_id)

    def guard_batch(self, tx: Tx, org_id: str, batch_id: str) -> None:
        """In a writing transaction: raise ``Frozen`` when a locked run read the batch."""
        self._serialise(tx)
        runs = self._locked_runs_reading(tx, org_id, batch_id)
        if runs:
            raise Frozen("batch", batch_id, runs)

    # -- verifiers, findings ----------------------------------------------------------------------
    def engage_verifier(self, org_id: str, run_id: str, user_id: str, by: str, now: Any) -> Row:
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO run_verifiers (run_id, user_id, org_id, engaged_by, engaged_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, user_id) DO NOTHING",
                [run_id, user_id, org_id, by, now],
            )
            row = tx.one(
                "SELECT run_id, user_id, engaged_by, engaged_at FROM run_verifiers WHERE org_id = ? AND run_id = ? "
                "AND user_id = ?",
                [org_id, run_id, user_id],
            )
        assert row is not None
        return row

    def verifiers(self, org_id: str, run_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return tx.all(
                "SELECT v.run_id, v.user_id, u.name, v.engaged_by, v.engaged_at FROM run_verifiers v "
                "JOIN users u ON u.id = v.user_id WHERE v.org_id = ? AND v.run_id = ? ORDER BY v.engaged_at, v.user_id",
                [org_id, run_id],
            )

    def add_finding(self, org_id: str, run_id: str, finding: Row, user_id: str, now: Any, ident: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO findings (id, org_id, run_id, target, check_id, batch_id, row_number, factor_id, "
                "factor_version, severity, body, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    ident,
                    org_id,
                    run_id,
                    finding["target"],
                    finding.get("check_id"),
                    finding.get("batch_id"),
                    finding.get("row_number"),
                    finding.get("factor_id"),
                    finding.get("factor_version"),
                    finding["severity"],
                    finding["body"],
                    user_id,
                    now,
                ],
            )

    def add_reply(self, org_id: str, finding_id: str, action: str, body: str, user_id: str, now: Any, ident: str):
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO finding_replies (id, finding_id, org_id, action, body, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ident, finding_id, org_id, action, body, user_id, now],
            )

    def finding(self, org_id: str, finding_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one("SELECT id, run_id FROM findings WHERE org_id = ? AND id = ?", [org_id, finding_id])

    def findings(self, org_id: str, run_id: str) -> list[Row]:
        """A run's findings, oldest first, each with its replies and its state (open or closed: the
        latest 'close' or 'reopen' reply decides)."""
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT f.*, u.name AS created_by_name FROM findings f JOIN users u ON u.id = f.created_by "
                "WHERE f.org_id = ? AND f.run_id = ? ORDER BY f.created_at, f.id",
                [org_id, run_id],
            )
            replies = tx.all(
                "SELECT r.*, u.name AS created_by_name FROM finding_replies r JOIN findings f ON f.id = r.finding_id "
                "JOIN users u ON u.id = r.created_by WHERE r.org_id = ? AND f.run_id = ? ORDER BY r.created_at, r.id",
                [org_id, run_id],
            )
        by_finding: dict[str, list[Row]] = {}
        for reply in replies:
            by_finding.setdefault(reply["finding_id"], []).append(reply)
        for row in rows:
            row["replies"] = by_finding.get(row["id"], [])
            moves = [r["action"] for r in row["replies"] if r["action"] != "answer"]
            row["state"] = "closed" if moves and moves[-1] == "close" else "open"
        return rows

    # -- signatures -------------------------------------------------------------------------------
    _SIGNATURE = (
        "SELECT run_id, org_id, user_id, signer_name, signer_organisation, signed_on, statement, covered_json, "
        "covered_sha256, open_findings, signed_at FROM run_signatures"
    )

    def sign_run(self, org_id: str, run_id: str, user_id: str, signature: Row, covered: dict, now: Any) -> Row | None:
        """Keep a verifier's signature over ``covered``; None when the run is signed already."""
        with self.db.transaction(write=True) as tx:
            self._serialise(tx)  # two verifiers signing at once on PostgreSQL: one signs, the other is told
            if tx.one(f"{self._SIGNATURE} WHERE org_id = ? AND run_id = ?", [org_id, run_id]) is not None:
                return None
            tx.execute(
                "INSERT INTO run_signatures (run_id, org_id, user_id, signer_name, signer_organisation, signed_on, "
                "statement, covered_json, covered_sha256, open_findings, signed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    org_id,
                    user_id,
                    signature["signer_name"],
                    signature["signer_organisation"],
                    signature["signed_on"],
                    signature["statement"],
                    json.dumps(covered, ensure_ascii=False, sort_keys=True),
                    covered_sha256(covered),
                    signature["open_findings"],
                    now,
                ],
            )
            return tx.one(f"{self._SIGNATURE} WHERE org_id = ? AND run_id = ?", [org_id, run_id])

    def signature(self, org_id: str, run_id: str) -> Row | None:
        with self.db.transaction() as tx:
            row = tx.one(f"{self._SIGNATURE} WHERE org_id = ? AND run_id = ?", [org_id, run_id])
        if row is not None and isinstance(row["signed_on"], str):
            row["signed_on"] = date.fromisoformat(row["signed_on"])
        return row

    def blob_sha256(self, digest: str) -> str | None:
        """The SHA-256 of the bytes the store now holds under ``digest`` (None when it holds none): equal
        to ``digest`` unless the stored bytes were altered. A blob kept in parts is hashed part by part
        (after its row's own bytes, empty unless altered)."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT data FROM blobs WHERE sha256 = ?", [digest])
            if row is None:
                return None
            parts = tx.one("SELECT count(*) AS n FROM blob_chunks WHERE sha256 = ?", [digest])
        hashed = hashlib.sha256(bytes(row["data"]))
        for seq in range(int(parts["n"]) if parts else 0):
            hashed.update(self.blob_part(digest, seq))  # type: ignore[attr-defined]
        return hashed.hexdigest()

    # -- evidence ---------------------------------------------------------------------------------
    _EVIDENCE = (
        "SELECT e.id, e.org_id, e.project_id, e.target_kind, e.target_id, e.row_number, e.filename, e.description, "
        "e.sha256, e.size_bytes, e.uploaded_by, u.name AS uploaded_by_name, e.uploaded_at, w.withdrawn_at "
        "FROM evidence e JOIN users u ON u.id = e.uploaded_by "
        "LEFT JOIN evidence_withdrawals w ON w.evidence_id = e.id"
    )

    def add_evidence(self, row: Row, data: bytes) -> Row:
        with self.db.transaction(write=True) as tx:
            self._put_blob(tx, data)  # type: ignore[attr-defined]
            tx.execute(
                "INSERT INTO evidence (id, org_id, project_id, target_kind, target_id, row_number, filename, "
                "description, sha256, size_bytes, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row["id"],
                    row["org_id"],
                    row["project_id"],
                    row["target_kind"],
                    row["target_id"],
                    row["row_number"],
                    row["filename"],
                    row["description"],
                    row["sha256"],
                    row["size_bytes"],
                    row["uploaded_by"],
                    row["uploaded_at"],
                ],
            )
            found = tx.one(f"{self._EVIDENCE} WHERE e.org_id = ? AND e.id = ?", [row["org_id"], row["id"]])
        assert found is not None
        return found

    def evidence(self, org_id: str, evidence_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._EVIDENCE} WHERE e.org_id = ? AND e.id = ?", [org_id, evidence_id])

    def evidence_list(
        self, org_id: str, project_id: str, target_kind: str | None = None, target_ids: list[str] | None = None
    ) -> list[Row]:
        """A project's evidence not withdrawn, oldest first; only that of the given targets when given."""
        sql = f"{self._EVIDENCE} WHERE e.org_id = ? AND e.project_id = ? AND w.withdrawn_at IS NULL"
        params: list[Any] = [org_id, project_id]
        if target_kind is not None:
            sql, params = sql + " AND e.target_kind = ?", [*params, target_kind]
        if target_ids is not None:
            if not target_ids:
                return []
            sql += f" AND e.target_id IN ({', '.join('?' for _ in target_ids)})"
            params += target_ids
        with self.db.transaction() as tx:
            return tx.all(sql + " ORDER BY e.uploaded_at, e.id", params)

    def withdraw_evidence(self, org_id: str, evidence_id: str, user_id: str, now: Any) -> Row | None:
        """Leave evidence out of lists from now on; ``Frozen`` when it supports a batch a locked run read."""
        with self.db.transaction(write=True) as tx:
            row = tx.one(f"{self._EVIDENCE} WHERE e.org_id = ? AND e.id = ?", [org_id, evidence_id])
            if row is None:
                return None
            if row["target_kind"] in ("batch", "row"):
                self._serialise(tx)
                runs = self._locked_runs_reading(tx, org_id, row["target_id"])
                if runs:
                    raise Frozen("evidence", evidence_id, runs)
            tx.execute(
                "INSERT INTO evidence_withdrawals (evidence_id, withdrawn_at, withdrawn_by) VALUES (?, ?, ?) "
                "ON CONFLICT (evidence_id) DO NOTHING",
                [evidence_id, now, user_id],
            )
            return tx.one(f"{self._EVIDENCE} WHERE e.org_id = ? AND e.id = ?", [org_id, evidence_id])
