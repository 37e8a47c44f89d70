-- Notifications (OpenID4VCI §11): every credential of one Credential Response carries the
-- digest of that response's notification_id and of the access token that obtained it, so only
-- that session can report on them; the wallet's last event is kept for the operator.
ALTER TABLE issuer_issued ADD COLUMN notification_digest TEXT;
ALTER TABLE issuer_issued ADD COLUMN notification_token_digest TEXT;
ALTER TABLE issuer_issued ADD COLUMN wallet_event TEXT;
ALTER TABLE issuer_issued ADD COLUMN wallet_event_description TEXT;
ALTER TABLE issuer_issued ADD COLUMN wallet_event_at BIGINT;

CREATE INDEX issuer_issued_notification ON issuer_issued (notification_digest);
