-- Issuer administration: subjects (the people or organisations credentials are issued to),
-- credential configurations defined through the admin API, and offers tied to a subject.
CREATE TABLE issuer_subject (
    id            TEXT PRIMARY KEY NOT NULL,
    claims        TEXT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE issuer_configuration (
    id         TEXT PRIMARY KEY NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

ALTER TABLE issuer_offer ADD COLUMN subject_id TEXT;
ALTER TABLE issuer_session ADD COLUMN subject_id TEXT;
ALTER TABLE issuer_issued ADD COLUMN subject_id TEXT;
ALTER TABLE issuer_issued ADD COLUMN status_changed_at BIGINT;

-- Offers published by reference (`credential_offer_uri`): stored sealed with a key derived from
-- the reference id, which only the link holds, so the database never sees a usable code.
CREATE TABLE issuer_offer_reference (
    id_digest  TEXT PRIMARY KEY NOT NULL,
    sealed     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX issuer_issued_subject ON issuer_issued (subject_id, issued_at);
