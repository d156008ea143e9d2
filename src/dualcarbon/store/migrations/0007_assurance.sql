-- Assurance of a run: locking (a report number, its inputs and outputs frozen), the verifiers engaged
-- on it, their findings and the replies to them, the verifier's signature, and evidence files.
-- Every row is inserted once and never changed (a finding's state is its latest reply), as DuckDB
-- refuses an UPDATE of a row that other rows reference. Numbered 0007: 0006 and 0008 belong to
-- other changes, and migrate() applies whichever versions a store lacks.

-- A locked run: numbered per organisation and year (report_number "DC-2026-0001"), never unlocked.
CREATE TABLE run_locks (
    run_id TEXT PRIMARY KEY REFERENCES runs (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    report_year INTEGER NOT NULL,
    report_seq INTEGER NOT NULL,
    report_number TEXT NOT NULL,
    locked_by TEXT NOT NULL REFERENCES users (id),
    locked_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, report_year, report_seq)
);

-- A user of the organisation engaged by an admin to verify one locked run.
CREATE TABLE run_verifiers (
    run_id TEXT NOT NULL REFERENCES runs (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    engaged_by TEXT NOT NULL REFERENCES users (id),
    engaged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, user_id)
);

-- A verifier's finding on a run: on the run as a whole, one check (check_id), one input row
-- (batch_id + row_number, the row as the file numbers it) or one factor (factor_id + factor_version).
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    run_id TEXT NOT NULL REFERENCES runs (id),
    target TEXT NOT NULL CHECK (target IN ('run', 'check', 'row', 'factor')),
    check_id TEXT,
    batch_id TEXT REFERENCES batches (id),
    row_number BIGINT,
    factor_id TEXT,
    factor_version TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('observation', 'minor', 'major')),
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX findings_run ON findings (run_id);

-- Answers to a finding; 'close' and 'reopen' also change its state (the latest of them counts).
CREATE TABLE finding_replies (
    id TEXT PRIMARY KEY,
    finding_id TEXT NOT NULL REFERENCES findings (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    action TEXT NOT NULL CHECK (action IN ('answer', 'close', 'reopen')),
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX finding_replies_finding ON finding_replies (finding_id);

-- The verifier's signature of a run: what they signed (covered_json: the inputs' paths and hashes,
-- the factor sets' versions and hashes, the outputs' names and hashes) and the SHA-256 over it.
CREATE TABLE run_signatures (
    run_id TEXT PRIMARY KEY REFERENCES runs (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    signer_name TEXT NOT NULL,
    signer_organisation TEXT NOT NULL,
    signed_on DATE NOT NULL,
    statement TEXT NOT NULL,
    covered_json TEXT NOT NULL,
    covered_sha256 TEXT NOT NULL,
    open_findings INTEGER NOT NULL,
    signed_at TIMESTAMP NOT NULL
);

-- A file that supports an input (an invoice, a meter photo, a GEC certificate), kept as a blob with its
-- hash, attached to a batch (row_number NULL), to one row of a batch, or to another object by kind and
-- id (target_kind 'request': a data request; no foreign key, as that table belongs to another change).
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    row_number BIGINT,
    filename TEXT NOT NULL,
    description TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size_bytes BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_target ON evidence (target_kind, target_id);

CREATE TABLE evidence_withdrawals (
    evidence_id TEXT PRIMARY KEY REFERENCES evidence (id),
    withdrawn_at TIMESTAMP NOT NULL,
    withdrawn_by TEXT REFERENCES users (id)
);
