-- Leaf hashes by value, so an inclusion proof can be asked for by the entry's hash (RFC 9162
-- get-proof-by-hash) without the client knowing its leaf index. Only level 0 (the leaves).
CREATE INDEX IF NOT EXISTS registry_leaf_hash ON registry_node (origin, hash) WHERE level = 0;
