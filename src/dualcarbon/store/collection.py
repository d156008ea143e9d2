"""Data collection in the store (migration 0006, docs/collection.md): a project's workflow members,
its data requests (site × kind × period, assigned to a person, with a due date) and each request's
history. A submission is a batch like any upload; resubmitting withdraws the request's earlier
batch, so that a request has at most one batch in the project's current inputs.

Every method takes the ``org_id`` and puts it in the ``WHERE`` clause (store/repo.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dualcarbon.store.db import Tx

Row = dict[str, Any]
WORKFLOW_ROLES = ("coordinator", "contributor", "reviewer")
STATUSES = ("requested", "submitted", "returned", "approved")
# A request may be submitted while it is in one of these statuses.
SUBMITTABLE = ("requested", "returned")


class Transition(Exception):
    """Raised when a request is not in a status that allows the step (another person moved it first)."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


class Collection:
    """The collection half of the repository; ``Store`` mixes it in."""

    db: Any

    # -- members ----------------------------------------------------------------------------------
    _MEMBER = (
        "SELECT m.project_id, m.user_id, u.name, m.role, m.added_by, m.added_at FROM project_members m "
        "JOIN users u ON u.id = m.user_id"
    )

    def add_member(self, org_id: str, project_id: str, user_id: str, role: str, added_by: str) -> Row:
        """Give a user of the organisation a workflow role in a project (again: nothing changes)."""
        from dualcarbon.store.repo import utcnow

        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO project_members (project_id, user_id, org_id, role, added_by, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, user_id, role) DO NOTHING",
                [project_id, user_id, org_id, role, added_by, utcnow()],
            )
            row = tx.one(
                f"{self._MEMBER} WHERE m.org_id = ? AND m.project_id = ? AND m.user_id = ? AND m.role = ?",
                [org_id, project_id, user_id, role],
            )
        assert row is not None
        return row

    def members(self, org_id: str, project_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return tx.all(
                f"{self._MEMBER} WHERE m.org_id = ? AND m.project_id = ? ORDER BY m.added_at, m.user_id, m.role",
                [org_id, project_id],
            )

    def remove_member(self, org_id: str, project_id: str, user_id: str, role: str) -> bool:
        with self.db.transaction(write=True) as tx:
            gone = tx.execute(
                "DELETE FROM project_members WHERE org_id = ? AND project_id = ? AND user_id = ? AND role = ?",
                [org_id, project_id, user_id, role],
            )
        return gone == 1

    def member_roles(self, org_id: str, project_id: str, user_id: str) -> set[str]:
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT role FROM project_members WHERE org_id = ? AND project_id = ? AND user_id = ?",
                [org_id, project_id, user_id],
            )
        return {r["role"] for r in rows}

    # -- requests ---------------------------------------------------------------------------------
    _REQUEST = (
        "SELECT r.id, r.org_id, r.project_id, r.site, r.kind, r.period_start, r.period_end, r.assignee_id, "
        "u.name AS assignee_name, r.due_on, r.note, r.status, r.created_by, r.created_at, r.updated_at, "
        "(SELECT e.batch_id FROM request_events e WHERE e.request_id = r.id AND e.batch_id IS NOT NULL "
        "ORDER BY e.seq DESC LIMIT 1) AS batch_id "
        "FROM data_requests r JOIN users u ON u.id = r.assignee_id"
    )

    def create_request(
        self,
        org_id: str,
        project_id: str,
        site: str,
        kind: str,
        period_start: date,
        period_end: date,
        assignee_id: str,
        due_on: date,
        note: str | None,
        user_id: str,
    ) -> Row:
        """A new request (status ``requested``) and the first event of its history."""
        from dualcarbon.store.repo import new_id, utcnow

        request_id, now = new_id("req"), utcnow()
        with self.db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO data_requests (id, org_id, project_id, site, kind, period_start, period_end, "
                "assignee_id, due_on, note, status, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?)",
                [
                    request_id,
                    org_id,
                    project_id,
                    site,
                    kind,
                    period_start,
                    period_end,
                    assignee_id,
                    due_on,
                    note,
                    user_id,
                    now,
                    now,
                ],
            )
            self._event(tx, request_id, "requested", "requested", None, note, user_id, now)
            row = tx.one(f"{self._REQUEST} WHERE r.id = ?", [request_id])
        assert row is not None
        return row

    def requests(self, org_id: str, project_id: str, assignee_id: str | None = None) -> list[Row]:
        """The project's requests (only those assigned to ``assignee_id`` when given), by due date."""
        sql, params = f"{self._REQUEST} WHERE r.org_id = ? AND r.project_id = ?", [org_id, project_id]
        if assignee_id is not None:
            sql, params = sql + " AND r.assignee_id = ?", [*params, assignee_id]
        with self.db.transaction() as tx:
            return tx.all(sql + " ORDER BY r.due_on, r.site, r.kind, r.id", params)

    def request(self, org_id: str, request_id: str) -> Row | None:
        with self.db.transaction() as tx:
            return tx.one(f"{self._REQUEST} WHERE r.org_id = ? AND r.id = ?", [org_id, request_id])

    def request_history(self, org_id: str, request_id: str) -> list[Row]:
        """Each transition of a request in order, with the user's name and the row comments of a return."""
        with self.db.transaction() as tx:
            events = tx.all(
                "SELECT e.id, e.seq, e.action, e.status, e.batch_id, e.comment, e.user_id, u.name AS user_name, "
                "e.done_at FROM request_events e JOIN data_requests r ON r.id = e.request_id AND r.org_id = ? "
                "JOIN users u ON u.id = e.user_id WHERE e.request_id = ? ORDER BY e.seq",
                [org_id, request_id],
            )
            comments = tx.all(
                "SELECT c.event_id, c.row_number, c.column_name, c.text FROM request_row_comments c "
                "JOIN request_events e ON e.id = c.event_id WHERE e.request_id = ? ORDER BY e.seq, c.position",
                [request_id],
            )
        for event in events:
            event["rows"] = [
                {"row": c["row_number"], "column": c["column_name"], "text": c["text"]}
                for c in comments
                if c["event_id"] == event["id"]
            ]
        return events

    def submit(self, org_id: str, request_id: str, batch: Row, user_id: str) -> Row:
        """Keep ``batch`` (a validated upload, as ``add_batch`` takes it) as the request's submission:
        status ``submitted``; the earlier submission's batch, if any, withdrawn. Transition when the
        request is neither requested nor returned."""
        from dualcarbon.store.repo import utcnow

        now = utcnow()
        with self.db.transaction(write=True) as tx:
            current = tx.one(f"{self._REQUEST} WHERE r.org_id = ? AND r.id = ?", [org_id, request_id])
            if current is None or current["status"] not in SUBMITTABLE:
                raise Transition(current["status"] if current else "missing")
            moved = tx.execute(
                "UPDATE data_requests SET status = 'submitted', updated_at = ? "
                "WHERE org_id = ? AND id = ? AND status IN ('requested', 'returned')",
                [now, org_id, request_id],
            )
            if moved != 1:
                raise Transition(current["status"])
            self._insert_batch(tx, batch)  # type: ignore[attr-defined]
            if current["batch_id"] is not None:
                tx.execute(
                    "INSERT INTO batch_withdrawals (batch_id, withdrawn_at, withdrawn_by) VALUES (?, ?, ?) "
                    "ON CONFLICT (batch_id) DO NOTHING",
                    [current["batch_id"], now, user_id],
                )
            action = "resubmitted" if current["status"] == "returned" else "submitted"
            self._event(tx, request_id, action, "submitted", batch["id"], None, user_id, now)
            row = tx.one(f"{self._REQUEST} WHERE r.id = ?", [request_id])
        assert row is not None
        return row

    def review(
        self,
        org_id: str,
        request_id: str,
        decision: str,
        comment: str | None,
        rows: list[tuple[int, str | None, str]],
        user_id: str,
    ) -> Row:
        """Approve or return (``decision``) a submitted request, with a comment and comments on rows
        ((row number, column, text)); Transition when it is not submitted."""
        from dualcarbon.store.repo import utcnow

        assert decision in ("approved", "returned")
        now = utcnow()
        with self.db.transaction(write=True) as tx:
            moved = tx.execute(
                "UPDATE data_requests SET status = ?, updated_at = ? WHERE org_id = ? AND id = ? AND status = 'submitted'",
                [decision, now, org_id, request_id],
            )
            if moved != 1:
                current = tx.one("SELECT status FROM data_requests WHERE org_id = ? AND id = ?", [org_id, request_id])
                raise Transition(current["status"] if current else "missing")
            event_id = self._event(tx, request_id, decision, decision, None, comment, user_id, now)
            for position, (row_number, column, text) in enumerate(rows):
                tx.execute(
                    "INSERT INTO request_row_comments (event_id, position, row_number, column_name, text) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [event_id, position, row_number, column, text],
                )
            row = tx.one(f"{self._REQUEST} WHERE r.id = ?", [request_id])
        assert row is not None
        return row

    def approved_batches(self, org_id: str, project_id: str) -> set[str]:
        """The batches of the project's approved requests: each approved request's last submission."""
        return {
            r["batch_id"]
            for r in self.requests(org_id, project_id)
            if r["status"] == "approved" and r["batch_id"] is not None
        }

    def requested_batches(self, org_id: str, project_id: str) -> set[str]:
        """Every batch ever submitted to one of the project's requests."""
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT e.batch_id FROM request_events e JOIN data_requests r ON r.id = e.request_id "
                "WHERE r.org_id = ? AND r.project_id = ? AND e.batch_id IS NOT NULL",
                [org_id, project_id],
            )
        return {r["batch_id"] for r in rows}

    @staticmethod
    def _event(
        tx: Tx,
        request_id: str,
        action: str,
        status: str,
        batch_id: str | None,
        comment: str | None,
        user_id: str,
        now: Any,
    ) -> str:
        from dualcarbon.store.repo import new_id

        seq = tx.one("SELECT count(*) AS n FROM request_events WHERE request_id = ?", [request_id])
        event_id = new_id("rev")
        tx.execute(
            "INSERT INTO request_events (id, request_id, seq, action, status, batch_id, comment, user_id, done_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [event_id, request_id, int(seq["n"]) if seq else 0, action, status, batch_id, comment, user_id, now],
        )
        return event_id
