//! Status List Token in CWT format (§5.2): a tagged COSE_Sign1 (never wrapped in the CWT tag)
//! with protected `typ` (16) `application/statuslist+cwt`; claims 2 (sub), 6 (iat), 4 (exp),
//! 65534 (ttl, seconds) and 65533 (the CBOR `StatusList` of §4.3).
//!
//! Built on `saifu_crypto::cose` / `saifu_crypto::cwt`. COSE_Mac0 tokens (tag 17), which §5.2
//! also allows, are not accepted: saifu verifies only signatures (§11.6 prefers them).

use ciborium::Value as Cbor;
use saifu_crypto::cose::{CoseSign1, Header, Label, SignOptions, label};
use saifu_crypto::{Signer, Verifier, cose, cwt as crypto_cwt};

use super::{CWT_MEDIA_TYPE, Claims, StatusListToken, VerifyOptions, invalid_ttl};
use crate::status::{Limits, StatusList, TokenError};

/// Claim key of the time to live, in seconds (§5.2).
pub const TTL_CLAIM: i64 = 65534;
/// Claim key of the status list (§5.2).
pub const STATUS_LIST_CLAIM: i64 = 65533;

/// First byte of a COSE_Sign1_Tagged message: CBOR tag 18 in its one-byte head (RFC 9052 §2).
const COSE_SIGN1_TAG_BYTE: u8 = 0xd2;

/// A parsed CWT Status List Token with the right `typ`, not yet verified.
#[derive(Debug, Clone)]
pub struct DecodedCwt {
    message: CoseSign1,
    claims: crypto_cwt::Claims,
}

/// Parses a CWT of at most [`Limits::max_token_bytes`] and checks its tag and `typ`, without
/// verifying anything else.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<DecodedCwt, TokenError> {
    // Untagged messages and the CWT tag 61 both start with another byte.
    if bytes.first() != Some(&COSE_SIGN1_TAG_BYTE) {
        return Err(TokenError::NotTaggedCoseSign1);
    }
    let message = CoseSign1::from_slice_with_limit(bytes, limits.max_token_bytes)?;
    check_typ(message.protected())?;
    let payload = message
        .payload()
        .ok_or(crypto_cwt::CwtError::MissingClaims)?;
    let claims = crypto_cwt::Claims::from_slice(payload)?;
    Ok(DecodedCwt { message, claims })
}

/// Parses and verifies a CWT Status List Token in one step.
pub fn verify(
    bytes: &[u8],
    key: &dyn Verifier,
    opts: &VerifyOptions<'_>,
) -> Result<StatusListToken, TokenError> {
    decode(bytes, &opts.limits)?.verify(key, opts)
}

/// Signs `token` as a tagged COSE_Sign1 CWT with protected `typ` `application/statuslist+cwt`
/// (plus `alg` and the signer's `kid`).
pub async fn sign(token: &StatusListToken, signer: &dyn Signer) -> Result<Vec<u8>, TokenError> {
    let mut claims = crypto_cwt::Claims::new();
    claims.sub = Some(token.sub.clone());
    claims.iss = token.iss.clone();
    claims.iat = Some(token.iat);
    claims.exp = token.exp;
    claims.nbf = token.nbf;
    if let Some(ttl) = token.ttl {
        claims.insert(Label::Int(TTL_CLAIM), Cbor::Integer(ttl.into()))?;
    }
    claims.insert(
        Label::Int(STATUS_LIST_CLAIM),
        token.status_list.to_cbor_value(),
    )?;
    let mut protected = Header::new();
    protected.insert(Label::Int(label::TYP), Cbor::Text(CWT_MEDIA_TYPE.into()))?;
    let opts = SignOptions {
        protected,
        ..SignOptions::default()
    };
    Ok(crypto_cwt::sign(signer, &claims, opts).await?.to_vec())
}

/// §5.2: protected `typ` must be `application/statuslist+cwt`. (Its CoAP Content-Format number
/// is not assigned yet, so no integer is accepted.)
fn check_typ(protected: &Header) -> Result<(), TokenError> {
    let found = match protected.get(&Label::Int(label::TYP)) {
        Some(Cbor::Text(t)) if t.eq_ignore_ascii_case(CWT_MEDIA_TYPE) => return Ok(()),
        Some(Cbor::Text(t)) => Some(t.clone()),
        Some(Cbor::Integer(i)) => Some(format!("content format {}", i128::from(*i))),
        Some(_) => Some("a value that is neither text nor an integer".to_owned()),
        None => None,
    };
    Err(TokenError::WrongType {
        expected: CWT_MEDIA_TYPE,
        found,
    })
}

impl DecodedCwt {
    /// The `kid` header parameter (protected first, then unprotected).
    pub fn key_id(&self) -> Option<&[u8]> {
        let protected = self.message.protected().key_id().ok().flatten();
        protected.or_else(|| self.message.unprotected().key_id().ok().flatten())
    }

    /// The unverified `iss` claim.
    pub fn issuer(&self) -> Option<&str> {
        self.claims.iss.as_deref()
    }

    /// The COSE message, for key resolution schemes beyond `kid` (`x5chain`, …).
    pub fn message(&self) -> &CoseSign1 {
        &self.message
    }

    /// Verifies the signature with `key` under `opts.allowed_algorithms`, checks the claims and
    /// decompresses the list.
    pub fn verify(
        &self,
        key: &dyn Verifier,
        opts: &VerifyOptions<'_>,
    ) -> Result<StatusListToken, TokenError> {
        self.message
            .verify(key, &cose::VerifyOptions::new(opts.allowed_algorithms))?;
        let c = &self.claims;
        let claims = Claims {
            sub: c.sub.clone().ok_or(TokenError::MissingClaim("sub"))?,
            iss: c.iss.clone(),
            iat: c.iat.ok_or(TokenError::MissingClaim("iat"))?,
            exp: c.exp,
            nbf: c.nbf,
            ttl: self.ttl()?,
        };
        let list = c
            .get(&Label::Int(STATUS_LIST_CLAIM))
            .ok_or(TokenError::MissingClaim("status_list"))?;
        claims.accept(opts, |limits| {
            Ok(StatusList::from_cbor_value(list, limits)?)
        })
    }

    /// Claim 65534: an unsigned integer (major type 0) of seconds.
    fn ttl(&self) -> Result<Option<u64>, TokenError> {
        match self.claims.get(&Label::Int(TTL_CLAIM)) {
            None => Ok(None),
            Some(Cbor::Integer(i)) => u64::try_from(*i).map(Some).map_err(|_| invalid_ttl()),
            Some(_) => Err(invalid_ttl()),
        }
    }
}
