//! The OpenID4VP 1.0 wallet side: what a wallet does with a verifier's request before any
//! credential is involved. So far: fetching a request object passed by reference
//! ([`fetch::fetch_request_object`]).

pub mod fetch;
