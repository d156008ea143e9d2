-- Runs of the main job on stored inputs, with what is needed to reproduce them byte for byte:
-- the input batches (by content hash), the factor sets' versions and hashes, the options,
-- the dualcarbon version, and every output file (by content hash).

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    step TEXT,
    steps_done INTEGER NOT NULL DEFAULT 0,
    steps_total INTEGER NOT NULL,
    options_json TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    factor_sets_json TEXT,
    dualcarbon_version TEXT NOT NULL,
    error_json TEXT,
    reproduces TEXT REFERENCES runs (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX runs_project ON runs (project_id);

-- The batches a run read, in the order they were laid out, and where in the project folder.
CREATE TABLE run_inputs (
    run_id TEXT NOT NULL REFERENCES runs (id),
    batch_id TEXT NOT NULL REFERENCES batches (id),
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (run_id, batch_id)
);

CREATE TABLE run_outputs (
    run_id TEXT NOT NULL REFERENCES runs (id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size_bytes BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
);
