-- Where the verifier posts a presentation session's result once it completes (optional).
CREATE TABLE verifier_webhook (
    session_id TEXT PRIMARY KEY NOT NULL,
    url        TEXT NOT NULL
);
