-- Deferred issuance (OpenID4VCI §9): offers and sessions that wait for the operator's approval,
-- and the requests waiting. Only digests of the transaction id and access token are kept.
ALTER TABLE issuer_offer ADD COLUMN deferred BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE issuer_session ADD COLUMN deferred BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE issuer_pending (
    id                 TEXT PRIMARY KEY NOT NULL,
    transaction_digest TEXT NOT NULL UNIQUE,
    token_digest       TEXT NOT NULL,
    config_id          TEXT NOT NULL,
    claims             TEXT NOT NULL,
    subject_id         TEXT,
    holder_keys        TEXT NOT NULL,
    state              TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL
);

CREATE INDEX issuer_pending_state ON issuer_pending (state, created_at);
