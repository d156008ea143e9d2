-- Organisations, their users and API tokens, projects, and the immutable inputs uploaded to them.
-- One schema for DuckDB and PostgreSQL: only types and statements both accept.
-- Ids are random text chosen by the application; times are UTC without a zone.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users (org_id);

-- A token is shown once; only the SHA-256 of its secret part is kept.
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX tokens_org ON tokens (org_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX projects_org ON projects (org_id);

-- File contents, addressed by their SHA-256: written once, never changed.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    data BYTEA NOT NULL
);

-- An uploaded file (dualcarbon.toml, activities, credits, own factors): immutable. Withdrawing a
-- batch keeps it (runs that used it stay reproducible) but leaves it out of later runs.
CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,  -- settings | activities | credits | factors | sinks | measures | documents (store.repo.KINDS)
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size_bytes BIGINT NOT NULL,
    rows BIGINT,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES users (id)
);
CREATE INDEX batches_project ON batches (project_id);
