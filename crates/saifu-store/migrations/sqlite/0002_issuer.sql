-- Issuer state (saifu-issuer). Secrets are stored only as SHA-256 digests; single use is
-- enforced by conditional UPDATE/DELETE statements. Keep identical in meaning to the
-- PostgreSQL twin.
CREATE TABLE issuer_offer (
    code_digest    TEXT PRIMARY KEY NOT NULL,
    config_id      TEXT NOT NULL,
    claims         TEXT NOT NULL,
    tx_code_digest TEXT,
    attempts_left  INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used           BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE issuer_session (
    token_digest TEXT PRIMARY KEY NOT NULL,
    config_id    TEXT NOT NULL,
    claims       TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE TABLE issuer_nonce (
    nonce_digest TEXT PRIMARY KEY NOT NULL,
    expires_at   INTEGER NOT NULL
);

-- What was issued to whom: no credential, salt or key material beyond the holder thumbprint.
CREATE TABLE issuer_issued (
    status_index      INTEGER PRIMARY KEY NOT NULL,
    config_id         TEXT NOT NULL,
    claims            TEXT NOT NULL,
    holder_thumbprint TEXT,
    issued_at         INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    status            INTEGER NOT NULL DEFAULT 0
);
