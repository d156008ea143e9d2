-- Withdrawals of batches in a table of their own. Setting batches.withdrawn_by on a batch that a run
-- has read fails on DuckDB (an UPDATE of a foreign-key column of a row that other rows reference is
-- refused), so a withdrawal is a row here instead: inserted once, never changed. Withdrawals made
-- before this version are copied over; the old columns batches.withdrawn_at and withdrawn_by stay
-- (DuckDB cannot drop columns of a referenced table) but are no longer read or written.

CREATE TABLE batch_withdrawals (
    batch_id TEXT PRIMARY KEY REFERENCES batches (id),
    withdrawn_at TIMESTAMP NOT NULL,
    withdrawn_by TEXT REFERENCES users (id)
);

INSERT INTO batch_withdrawals (batch_id, withdrawn_at, withdrawn_by)
SELECT id, withdrawn_at, withdrawn_by FROM batches WHERE withdrawn_at IS NOT NULL;
