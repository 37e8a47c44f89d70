-- saifu_meta: facts about the database itself (when it was created, ...), one row per key.
-- Role tables arrive in later migrations; keep every migration identical in meaning to its
-- SQLite twin in ../sqlite/.
CREATE TABLE saifu_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

INSERT INTO saifu_meta (key, value)
VALUES ('created_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
