-- Data collection (docs/collection.md): who does what in a project's workflow, the requests for data
-- (site × kind × period) assigned to people, and the history of each request. The workflow roles are
-- kept apart from the organisation's roles (users.role, 0001): a site user may be an org viewer and a
-- project's contributor. Numbered 0006: 0007 and 0008 belong to other changes.

CREATE TABLE project_members (
    project_id TEXT NOT NULL REFERENCES projects (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'contributor', 'reviewer')),
    added_by TEXT,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, user_id, role)
);

-- A request for one site's data of one kind for one period. Only status and updated_at ever change
-- (DuckDB refuses an UPDATE of a key or foreign-key column of a row other rows reference); the
-- submissions, returns and approvals are rows of request_events.
CREATE TABLE data_requests (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    assignee_id TEXT NOT NULL REFERENCES users (id),
    due_on DATE NOT NULL,
    note TEXT,
    status TEXT NOT NULL CHECK (status IN ('requested', 'submitted', 'returned', 'approved')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX data_requests_project ON data_requests (project_id);

-- Each transition of a request: who, when, to which status; a submission's batch; a reviewer's comment.
CREATE TABLE request_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES data_requests (id),
    seq INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('requested', 'submitted', 'resubmitted', 'returned', 'approved')),
    status TEXT NOT NULL,
    batch_id TEXT REFERENCES batches (id),
    comment TEXT,
    user_id TEXT NOT NULL REFERENCES users (id),
    done_at TIMESTAMP NOT NULL
);
CREATE INDEX request_events_request ON request_events (request_id);

-- A reviewer's comment on one row (and column) of a returned submission.
CREATE TABLE request_row_comments (
    event_id TEXT NOT NULL REFERENCES request_events (id),
    position INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    column_name TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
