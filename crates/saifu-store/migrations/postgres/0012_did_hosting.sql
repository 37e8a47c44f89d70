-- did:webvh hosting (saifu-registry did_host): the entries of each hosted DID log, in order,
-- with the transparency-log leaf each was appended as. (name, number) is the primary key, so
-- of two nodes publishing the same version concurrently exactly one succeeds.
CREATE TABLE IF NOT EXISTS did_host_entry (
    name TEXT NOT NULL,
    number BIGINT NOT NULL,
    did TEXT NOT NULL,
    version_id TEXT NOT NULL,
    line TEXT NOT NULL,
    leaf_index BIGINT NOT NULL,
    PRIMARY KEY (name, number)
);
