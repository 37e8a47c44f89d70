-- Verifiable data registry (saifu-registry): transparency logs and witness state.

-- One row per log: its size, latest signed checkpoint and the sequencer lease. Every commit is
-- a compare-and-set on (size, lease_holder), so nodes sharing the database cannot fork a log.
CREATE TABLE IF NOT EXISTS registry_log (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    checkpoint BLOB,
    lease_holder TEXT,
    lease_expires BIGINT NOT NULL
);

-- Log entries by leaf index (immutable once written).
CREATE TABLE IF NOT EXISTS registry_entry (
    origin TEXT NOT NULL,
    idx BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (origin, idx)
);

-- RFC 9162 hashes of complete subtrees (level, idx) (immutable once written).
CREATE TABLE IF NOT EXISTS registry_node (
    origin TEXT NOT NULL,
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (origin, level, idx)
);

-- tlog-witness: the latest cosigned size and root per log.
CREATE TABLE IF NOT EXISTS witness_state (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    root BLOB NOT NULL
);
