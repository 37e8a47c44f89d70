-- OpenID4VP 1.0 requests beyond unsigned `direct_post`: the response mode, the signed request
-- object served at the `request_uri` (requests by reference), and the per-session ephemeral
-- `direct_post.jwt` decryption key (secret Multikey; never served over HTTP).
-- Keep identical in meaning to its twin in the other dialect.
ALTER TABLE verifier_sessions ADD COLUMN response_mode TEXT NOT NULL DEFAULT 'direct_post'
    CHECK (response_mode IN ('direct_post', 'direct_post.jwt'));
ALTER TABLE verifier_sessions ADD COLUMN request_object TEXT;
ALTER TABLE verifier_sessions ADD COLUMN response_key TEXT;
