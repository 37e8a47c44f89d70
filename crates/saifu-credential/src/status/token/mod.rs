//! The Status List Token (§5): a status list signed by its Status Issuer, as a JWT
//! ([`jwt`], `typ` `statuslist+jwt`) or a CWT ([`cwt`], COSE_Sign1 with `typ` 16 =
//! `application/statuslist+cwt`).
//!
//! Both formats carry the same claims, modelled once as [`StatusListToken`], and are accepted
//! under the same rules (§8.3): signature under an allowed algorithm, `typ`, `sub` equal to the
//! referenced `uri`, `exp`/`nbf`/`iat` against an injected clock with bounded skew, then the list
//! decompressed within [`Limits`]. Verification is two-step ([`DecodedToken::decode`], then
//! [`DecodedToken::verify`]) so the caller can pick the key from `kid` or `iss` in between.

pub mod cwt;
pub mod jwt;

use saifu_crypto::{Algorithm, Verifier};

use super::{Limits, StatusList, TokenError};

/// JWT `typ` of a Status List Token (§5.1), in the short form RFC 7515 §4.1.9 recommends.
pub const JWT_TYP: &str = "statuslist+jwt";
/// Media type of a JWT Status List Token (§8.1, §8.2); also accepted as its `typ`.
pub const JWT_MEDIA_TYPE: &str = "application/statuslist+jwt";
/// Media type of a CWT Status List Token, and its COSE `typ` (§5.2, §8.1).
pub const CWT_MEDIA_TYPE: &str = "application/statuslist+cwt";
/// Largest clock skew a verifier may allow, in seconds: enough for loosely synchronized clocks,
/// too little to revive a token that expired minutes ago.
pub const MAX_CLOCK_SKEW: u32 = 300;

/// The two encodings of a Status List Token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFormat {
    /// JWS compact serialization (§5.1).
    Jwt,
    /// Tagged COSE_Sign1 (§5.2).
    Cwt,
}

impl TokenFormat {
    /// The media type used for HTTP content negotiation (§8.1).
    pub fn media_type(self) -> &'static str {
        match self {
            TokenFormat::Jwt => JWT_MEDIA_TYPE,
            TokenFormat::Cwt => CWT_MEDIA_TYPE,
        }
    }
}

/// The claims of a Status List Token, whichever its format. Times are seconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// `sub` / 2: the URI the list is published at; referenced tokens name it as `uri`.
    pub sub: String,
    /// `iss` / 1: optional; the Status Issuer, useful for key resolution.
    pub iss: Option<String>,
    /// `iat` / 6: when the list was issued.
    pub iat: i64,
    /// `exp` / 4: after this the list must not be relied on (RECOMMENDED).
    pub exp: Option<i64>,
    /// `nbf` / 5: not a status-list claim, but honoured when present (RFC 7519/8392 validity).
    pub nbf: Option<i64>,
    /// `ttl` / 65534: how long, in **seconds**, a consumer may cache the token (RECOMMENDED).
    pub ttl: Option<u64>,
    /// `status_list` / 65533: the statuses.
    pub status_list: StatusList,
}

impl StatusListToken {
    /// A token for `status_list` published at `sub`, issued at `iat`, with no `exp` or `ttl`
    /// yet (set the fields directly).
    pub fn new(sub: impl Into<String>, iat: i64, status_list: StatusList) -> StatusListToken {
        StatusListToken {
            sub: sub.into(),
            iss: None,
            iat,
            exp: None,
            nbf: None,
            ttl: None,
            status_list,
        }
    }
}

/// The claims both formats parse before the list is decompressed, so a token with the wrong
/// subject or time costs no decompression.
struct Claims {
    sub: String,
    iss: Option<String>,
    iat: i64,
    exp: Option<i64>,
    nbf: Option<i64>,
    ttl: Option<u64>,
}

impl Claims {
    /// Checks the claims against the reference and the clock (§8.3 step 4).
    fn check(&self, opts: &VerifyOptions<'_>) -> Result<(), TokenError> {
        if opts.skew > MAX_CLOCK_SKEW {
            return Err(TokenError::SkewTooLarge(opts.skew));
        }
        if self.ttl == Some(0) {
            return Err(invalid_ttl());
        }
        if self.sub != opts.uri {
            return Err(TokenError::SubjectMismatch {
                expected: opts.uri.to_owned(),
                found: self.sub.clone(),
            });
        }
        let (now, skew) = (opts.now, i64::from(opts.skew));
        // RFC 7519 §4.1.4 / RFC 8392 §3.1.4: not accepted on or after `exp`.
        if let Some(exp) = self.exp
            && now >= exp.saturating_add(skew)
        {
            return Err(TokenError::Expired { exp, now });
        }
        if let Some(nbf) = self.nbf
            && now.saturating_add(skew) < nbf
        {
            return Err(TokenError::NotYetValid { nbf, now });
        }
        if self.iat > now.saturating_add(skew) {
            return Err(TokenError::IssuedInFuture { iat: self.iat, now });
        }
        Ok(())
    }

    /// Checks the claims, then decodes the list with `decode_list` (which decompresses within
    /// `opts.limits`).
    fn accept(
        self,
        opts: &VerifyOptions<'_>,
        decode_list: impl FnOnce(&Limits) -> Result<StatusList, TokenError>,
    ) -> Result<StatusListToken, TokenError> {
        self.check(opts)?;
        let status_list = decode_list(&opts.limits)?;
        Ok(StatusListToken {
            sub: self.sub,
            iss: self.iss,
            iat: self.iat,
            exp: self.exp,
            nbf: self.nbf,
            ttl: self.ttl,
            status_list,
        })
    }
}

/// §5.1/§5.2: `ttl` must be a positive integer number of seconds.
fn invalid_ttl() -> TokenError {
    TokenError::InvalidClaim {
        claim: "ttl",
        reason: "must be a positive number of seconds",
    }
}

/// What a verifier requires of a Status List Token. There is no default algorithm list: each
/// caller names what it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions<'a> {
    /// The `uri` of the referenced token's `status_list`; the token's `sub` must equal it.
    pub uri: &'a str,
    /// The verifier's clock, seconds since the epoch.
    pub now: i64,
    /// Tolerated clock skew in seconds, at most [`MAX_CLOCK_SKEW`].
    pub skew: u32,
    /// Signature algorithms accepted (the key's type narrows this further).
    pub allowed_algorithms: &'a [Algorithm],
    /// Size limits for the token and its list.
    pub limits: Limits,
}

impl<'a> VerifyOptions<'a> {
    /// Options for the list at `uri` checked at `now`, accepting `allowed_algorithms`, with 60 s
    /// of skew and the default [`Limits`].
    pub fn new(uri: &'a str, now: i64, allowed_algorithms: &'a [Algorithm]) -> Self {
        VerifyOptions {
            uri,
            now,
            skew: 60,
            allowed_algorithms,
            limits: Limits::default(),
        }
    }
}

/// A parsed Status List Token of either format whose `typ` is right but whose signature and
/// claims are not yet checked.
#[derive(Debug, Clone)]
pub enum DecodedToken {
    /// A JWT.
    Jwt(jwt::DecodedJwt),
    /// A CWT.
    Cwt(cwt::DecodedCwt),
}

impl DecodedToken {
    /// Parses `bytes` as a token of `format` (a JWT must be UTF-8) within `limits`.
    pub fn decode(
        format: TokenFormat,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<DecodedToken, TokenError> {
        match format {
            TokenFormat::Jwt => {
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    saifu_crypto::jws::JwsError::Malformed("a compact JWT is ASCII text".into())
                })?;
                Ok(DecodedToken::Jwt(jwt::decode(text, limits)?))
            }
            TokenFormat::Cwt => Ok(DecodedToken::Cwt(cwt::decode(bytes, limits)?)),
        }
    }

    /// The `kid` header, as bytes (a JWT's string `kid` as UTF-8), to pick the key.
    pub fn key_id(&self) -> Option<&[u8]> {
        match self {
            DecodedToken::Jwt(t) => t.key_id().map(str::as_bytes),
            DecodedToken::Cwt(t) => t.key_id(),
        }
    }

    /// The unverified `iss` claim, to pick the key; trust nothing else before [`Self::verify`].
    pub fn issuer(&self) -> Option<&str> {
        match self {
            DecodedToken::Jwt(t) => t.issuer(),
            DecodedToken::Cwt(t) => t.issuer(),
        }
    }

    /// Verifies the signature with `key` and the claims under `opts`, then decompresses the list.
    pub fn verify(
        &self,
        key: &dyn Verifier,
        opts: &VerifyOptions<'_>,
    ) -> Result<StatusListToken, TokenError> {
        match self {
            DecodedToken::Jwt(t) => t.verify(key, opts),
            DecodedToken::Cwt(t) => t.verify(key, opts),
        }
    }
}
