-- The client an access token was issued to (key proofs may name it in `iss`, OpenID4VCI App. F.1).
ALTER TABLE issuer_session ADD COLUMN client_id TEXT;
