-- Files over a few MiB (a large run's emissions.parquet) in parts, so that neither storing nor
-- reading one holds it whole (and none meets PostgreSQL's 1 GB limit on one bytea value). Such a
-- blob keeps its row in blobs, with its size and an empty data; its bytes are here in order of seq,
-- every part of one length but the last (store/repo.py, CHUNK_BYTES).
CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
