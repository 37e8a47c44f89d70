-- Verifiable data registry: the trust registry's query index and the witness-cosigned
-- checkpoint a log serves. Both are derived from the log (saifu-registry) and can be rebuilt
-- from it; the log itself stays in registry_entry.

-- Trust statements by subject (authority, entity, relation, action, resource), with the leaf
-- index that proves each one is in the log. The latest issued_at wins (saifu_registry::trust).
CREATE TABLE IF NOT EXISTS registry_trust (
    origin TEXT NOT NULL,
    idx BIGINT NOT NULL,
    authority_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    statement TEXT NOT NULL,
    PRIMARY KEY (origin, idx)
);

CREATE INDEX IF NOT EXISTS registry_trust_subject
    ON registry_trust (origin, authority_id, entity_id, relation, action, resource);

-- The first leaf index of each log not yet scanned into registry_trust.
CREATE TABLE IF NOT EXISTS registry_trust_cursor (
    origin TEXT PRIMARY KEY,
    next_idx BIGINT NOT NULL
);

-- The checkpoint a log serves with the witness cosignatures gathered for it.
CREATE TABLE IF NOT EXISTS registry_cosigned (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    cosignatures INTEGER NOT NULL,
    checkpoint BLOB NOT NULL
);
