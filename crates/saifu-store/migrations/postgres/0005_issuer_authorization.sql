-- OpenID4VCI authorization code flow: the issuer_state values offers carry, pushed
-- authorization requests (RFC 9126) and authorization codes, one row each. A row is found by
-- the SHA-256 of its secret (never the secret) and its kind; what it holds is opaque JSON to the
-- database, which only enforces expiry, attempts and single use with conditional UPDATEs.
-- Keep identical in meaning to the SQLite twin.
CREATE TABLE issuer_authorization (
    kind          TEXT NOT NULL,
    digest        TEXT NOT NULL,
    body          TEXT NOT NULL,
    attempts_left BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used          BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (kind, digest)
);
