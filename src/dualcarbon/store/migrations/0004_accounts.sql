-- People sign in with a name and a password; sessions for the dashboard; one-time codes for
-- invitations and resets; sign-in failures for the rate limit; the audit log. Numbered 0004:
-- 0003 belongs to another change, and migrate() applies whichever versions a store lacks.

-- A user's sign-in name (lower case, unique on the server) and argon2id hash (PHC string). A user
-- without a row signs in with API tokens only; password_hash is NULL until the person sets one
-- with an invitation's code, and again after an admin's reset.
CREATE TABLE logins (
    login TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    password_hash TEXT,
    password_set_at TIMESTAMP
);

-- A dashboard session: the cookie holds a random secret, only its SHA-256 is kept (id). It ends
-- after idle_until passes, at expires_at, on sign-out, or when its user is disabled or reset.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    client_address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time codes (an invitation, a password reset): only the SHA-256 of the code is kept (id).
CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id);

-- Failed sign-ins, by key ('login:NAME' or 'address:IP'), for the rate limit.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key);

-- Who did what, when and from where. org_id is NULL only for a failed sign-in with an unknown
-- name (no organisation to show it to); user_id is NULL for the server's operator (the CLI).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    org_id TEXT,
    user_id TEXT,
    action TEXT NOT NULL,
    object_kind TEXT,
    object_id TEXT,
    details_json TEXT NOT NULL,
    client_address TEXT,
    done_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, done_at);
