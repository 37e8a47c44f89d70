//! Status List Token in JWT format (§5.1): header `typ` `statuslist+jwt`; claims `sub`, `iat`,
//! `exp`, `ttl` (seconds) and `status_list` (the JSON `StatusList` of §4.2).

use saifu_crypto::jws::{self, DecodedJws, VerifyPolicy};
use saifu_crypto::{Signer, Verifier};
use serde_json::{Map, Value as Json};

use super::{Claims, JWT_MEDIA_TYPE, JWT_TYP, StatusListToken, VerifyOptions, invalid_ttl};
use crate::status::{Limits, StatusList, TokenError};

/// A parsed JWT Status List Token with the right `typ`, not yet verified.
#[derive(Debug, Clone)]
pub struct DecodedJwt {
    jws: DecodedJws,
    claims: Map<String, Json>,
}

/// Parses a compact JWT of at most [`Limits::max_token_bytes`] and checks its `typ`, without
/// verifying anything else.
pub fn decode(token: &str, limits: &Limits) -> Result<DecodedJwt, TokenError> {
    let jws = jws::decode_compact(token, limits.max_token_bytes)?;
    check_typ(jws.typ())?;
    let claims = match serde_json::from_slice(&jws.payload) {
        Ok(Json::Object(claims)) => claims,
        Ok(_) => return Err(TokenError::MalformedClaims("not a JSON object".into())),
        Err(e) => return Err(TokenError::MalformedClaims(e.to_string())),
    };
    Ok(DecodedJwt { jws, claims })
}

/// Parses and verifies a compact JWT Status List Token in one step.
pub fn verify(
    token: &str,
    key: &dyn Verifier,
    opts: &VerifyOptions<'_>,
) -> Result<StatusListToken, TokenError> {
    decode(token, &opts.limits)?.verify(key, opts)
}

/// Signs `token` as a compact JWT with `typ` `statuslist+jwt` (plus `alg` and the signer's `kid`).
pub async fn sign(token: &StatusListToken, signer: &dyn Signer) -> Result<String, TokenError> {
    let mut header = Map::new();
    header.insert("typ".into(), JWT_TYP.into());
    let mut claims = Map::new();
    claims.insert("sub".into(), token.sub.clone().into());
    if let Some(iss) = &token.iss {
        claims.insert("iss".into(), iss.clone().into());
    }
    claims.insert("iat".into(), token.iat.into());
    for (name, value) in [("exp", token.exp), ("nbf", token.nbf)] {
        if let Some(value) = value {
            claims.insert(name.into(), value.into());
        }
    }
    if let Some(ttl) = token.ttl {
        claims.insert("ttl".into(), ttl.into());
    }
    claims.insert("status_list".into(), token.status_list.to_json());
    let payload = serde_json::to_vec(&claims).expect("a JSON map serializes");
    Ok(jws::sign_compact(&header, &payload, signer).await?)
}

/// RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively, with `application/`
/// implied when it has no `/`.
fn check_typ(typ: Option<&str>) -> Result<(), TokenError> {
    match typ {
        Some(t) if t.eq_ignore_ascii_case(JWT_TYP) || t.eq_ignore_ascii_case(JWT_MEDIA_TYPE) => {
            Ok(())
        }
        other => Err(TokenError::WrongType {
            expected: JWT_TYP,
            found: other.map(str::to_owned),
        }),
    }
}

impl DecodedJwt {
    /// The `kid` header parameter.
    pub fn key_id(&self) -> Option<&str> {
        self.jws.kid()
    }

    /// The unverified `iss` claim.
    pub fn issuer(&self) -> Option<&str> {
        self.claims.get("iss").and_then(Json::as_str)
    }

    /// The protected header, for key resolution schemes beyond `kid` (`x5c`, `jwk`, …).
    pub fn header(&self) -> &Map<String, Json> {
        &self.jws.protected
    }

    /// Verifies the signature with `key` under `opts.allowed_algorithms`, checks the claims and
    /// decompresses the list.
    pub fn verify(
        &self,
        key: &dyn Verifier,
        opts: &VerifyOptions<'_>,
    ) -> Result<StatusListToken, TokenError> {
        let policy = VerifyPolicy {
            max_len: opts.limits.max_token_bytes,
            ..VerifyPolicy::new(opts.allowed_algorithms)
        };
        self.jws.verify(key, &policy)?;
        let claims = Claims {
            sub: self.string("sub")?.ok_or(TokenError::MissingClaim("sub"))?,
            iss: self.string("iss")?,
            iat: self
                .numeric_date("iat", f64::floor)?
                .ok_or(TokenError::MissingClaim("iat"))?,
            exp: self.numeric_date("exp", f64::floor)?,
            nbf: self.numeric_date("nbf", f64::ceil)?,
            ttl: self.ttl()?,
        };
        let list = self
            .claims
            .get("status_list")
            .ok_or(TokenError::MissingClaim("status_list"))?;
        claims.accept(opts, |limits| Ok(StatusList::from_json(list, limits)?))
    }

    fn string(&self, claim: &'static str) -> Result<Option<String>, TokenError> {
        match self.claims.get(claim) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(TokenError::InvalidClaim {
                claim,
                reason: "not a string",
            }),
        }
    }

    /// A NumericDate (RFC 7519 §2): integer seconds, or a fraction rounded the safe way.
    fn numeric_date(
        &self,
        claim: &'static str,
        round: fn(f64) -> f64,
    ) -> Result<Option<i64>, TokenError> {
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        let invalid = TokenError::InvalidClaim {
            claim,
            reason: "not a NumericDate",
        };
        let Some(value) = self.claims.get(claim) else {
            return Ok(None);
        };
        let Json::Number(n) = value else {
            return Err(invalid);
        };
        if let Some(i) = n.as_i64() {
            return Ok(Some(i));
        }
        match n.as_f64().map(round) {
            // ±2^63 are exact in f64, so the range test is exact and the cast lossless.
            Some(f) if (-TWO_POW_63..TWO_POW_63).contains(&f) => Ok(Some(f as i64)),
            _ => Err(invalid),
        }
    }

    /// `ttl`: a positive number of seconds (§5.1). Fractions are refused rather than guessed.
    fn ttl(&self) -> Result<Option<u64>, TokenError> {
        match self.claims.get("ttl") {
            None => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(invalid_ttl),
        }
    }
}
