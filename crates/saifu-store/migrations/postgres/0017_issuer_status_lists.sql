-- The issuer's status lists (saifu-issuer status_lists). Each list covers the credential
-- numbers first .. first + capacity - 1 (issuer_issued.status_index); `allocated` slots of it
-- are handed out, each at the position a keyed permutation (shuffle_key) gives it. A new list
-- is opened when the newest is full. Keep identical in meaning to the other dialect's twin.
CREATE TABLE issuer_status_list (
    list_number BIGINT PRIMARY KEY NOT NULL,
    first       BIGINT NOT NULL,
    capacity    BIGINT NOT NULL,
    allocated   BIGINT NOT NULL,
    shuffle_key TEXT NOT NULL
);

-- Credentials issued before lists rolled over hold random indexes of one list of 2^17 entries
-- (/status/1). That list is closed as it stands, so new credentials start on list 2.
INSERT INTO issuer_status_list (list_number, first, capacity, allocated, shuffle_key)
SELECT 0, 0, 131072, 131072, '' WHERE EXISTS (SELECT 1 FROM issuer_issued);

-- A list is built from its revoked and suspended entries only; this keeps that read from
-- scanning every credential of the list.
CREATE INDEX issuer_issued_not_valid ON issuer_issued (status_index) WHERE status <> 0;
