-- Verifier presentation sessions (OpenID4VP 1.0). A session is answered at most once: the
-- completing UPDATE only matches a row still 'pending', so the database enforces single use.
-- Times are seconds since the epoch. Keep identical in meaning to its twin in the other dialect.
CREATE TABLE verifier_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    dcql_query   TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    state        TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    response_uri TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'verified', 'rejected', 'expired')),
    report       TEXT,
    completed_at BIGINT
);
