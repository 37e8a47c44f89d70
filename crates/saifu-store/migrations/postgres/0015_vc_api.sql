-- VC-API issuer (saifu-server vc_api): one row per credential issued with Bitstring Status List
-- entries. `status_index` is the credential's bit in every status list of its signing key (the
-- revocation and the suspension list share it). Indexes are drawn at random (Bitstring Status
-- List 1.0, Privacy Considerations: sequential indexes would tell verifiers the issuance order);
-- the primary key keeps two nodes sharing one database from handing out the same bit twice.
CREATE TABLE vc_api_status (
    key_name      TEXT NOT NULL,
    status_index  BIGINT NOT NULL,
    credential_id TEXT,
    revoked       INTEGER NOT NULL DEFAULT 0,
    suspended     INTEGER NOT NULL DEFAULT 0,
    issued_at     BIGINT NOT NULL,
    changed_at    BIGINT,
    PRIMARY KEY (key_name, status_index)
);

CREATE INDEX vc_api_status_credential ON vc_api_status (credential_id);
