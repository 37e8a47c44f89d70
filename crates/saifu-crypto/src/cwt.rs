//! CBOR Web Tokens (RFC 8392): claim sets, signed CWTs (a COSE_Sign1 whose payload is the claim
//! set) and time validation against an injected clock.
//!
//! Claim sets are read with `ciborium` rather than coset's `ClaimsSet`, which refuses any integer
//! claim key outside its IANA snapshot (the status-list and mdoc-adjacent claims saifu needs
//! among them) and every claim value it cannot type.

use ciborium::Value;

use crate::cose::{self, CoseError, CoseSign1, Label, SignOptions, VerifyOptions};
use crate::{PublicKey, Signer, Verifier};

/// CBOR tag that may prefix a tagged COSE message to mark it as a CWT (RFC 8392 §6).
pub const CWT_TAG: u64 = 61;

/// Largest clock skew [`Claims::validate_time`] accepts, in seconds.
pub const MAX_CLOCK_SKEW: u32 = 300;

/// Registered claim keys (RFC 8392 §4, RFC 8747 §3).
pub mod claim {
    /// `iss`: issuer.
    pub const ISS: i64 = 1;
    /// `sub`: subject.
    pub const SUB: i64 = 2;
    /// `aud`: audience.
    pub const AUD: i64 = 3;
    /// `exp`: expiration time.
    pub const EXP: i64 = 4;
    /// `nbf`: not before.
    pub const NBF: i64 = 5;
    /// `iat`: issued at.
    pub const IAT: i64 = 6;
    /// `cti`: CWT ID.
    pub const CTI: i64 = 7;
    /// `cnf`: confirmation (proof-of-possession key).
    pub const CNF: i64 = 8;
}

/// `cnf` member carrying a COSE_Key (RFC 8747 §3.1).
const CNF_COSE_KEY: i64 = 1;

/// Why a CWT could not be built, decoded or accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CwtError {
    /// The COSE layer failed (malformed message, bad signature, disallowed algorithm, …).
    #[error(transparent)]
    Cose(#[from] CoseError),
    /// The signed message carries no claims (its payload is detached).
    #[error("CWT has no payload")]
    MissingClaims,
    /// A registered claim has the wrong type or value.
    #[error("invalid `{claim}` claim: {reason}")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// [`Claims::insert`] was asked to set a registered claim, which has its own field.
    #[error("claim {0:?} is registered; set its field instead")]
    RegisteredClaim(Label),
    /// `exp` has passed (allowing for skew).
    #[error("CWT expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The clock used.
        now: i64,
    },
    /// `nbf` is still ahead (allowing for skew).
    #[error("CWT not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The clock used.
        now: i64,
    },
    /// `iat` is in the future (allowing for skew).
    #[error("CWT issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: i64,
        /// The clock used.
        now: i64,
    },
    /// The skew asked for exceeds [`MAX_CLOCK_SKEW`].
    #[error("clock skew of {0} s exceeds the maximum of {MAX_CLOCK_SKEW} s")]
    SkewTooLarge(u32),
}

/// A CWT claim set. Registered claims have fields; other claims (integer or text keys) are kept
/// in order. Times are NumericDate seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claims {
    /// `iss` (1).
    pub iss: Option<String>,
    /// `sub` (2).
    pub sub: Option<String>,
    /// `aud` (3).
    pub aud: Option<String>,
    /// `exp` (4).
    pub exp: Option<i64>,
    /// `nbf` (5).
    pub nbf: Option<i64>,
    /// `iat` (6).
    pub iat: Option<i64>,
    /// `cti` (7).
    pub cti: Option<Vec<u8>>,
    /// `cnf` (8), as sent; see [`Claims::cnf_key`].
    pub cnf: Option<Value>,
    other: Vec<(Label, Value)>,
}

impl Claims {
    /// An empty claim set.
    pub fn new() -> Claims {
        Claims::default()
    }

    /// Adds a claim that has no field here (private or application claims, integer or text key).
    pub fn insert(&mut self, label: Label, value: Value) -> Result<(), CwtError> {
        if matches!(label, Label::Int(i) if (claim::ISS..=claim::CNF).contains(&i)) {
            return Err(CwtError::RegisteredClaim(label));
        }
        if self.get(&label).is_some() {
            return Err(CoseError::DuplicateLabel(label).into());
        }
        self.other.push((label, value));
        Ok(())
    }

    /// A claim that has no field here.
    pub fn get(&self, label: &Label) -> Option<&Value> {
        self.other.iter().find(|(l, _)| l == label).map(|(_, v)| v)
    }

    /// The claims that have no field here, in order.
    pub fn other(&self) -> impl Iterator<Item = &(Label, Value)> {
        self.other.iter()
    }

    /// Sets `cnf` to `{1: COSE_Key}`, binding the token to `key` (RFC 8747 §3.1).
    pub fn set_cnf_key(&mut self, key: &PublicKey) {
        self.cnf = Some(Value::Map(vec![(
            Value::Integer(CNF_COSE_KEY.into()),
            cose::key::to_value(key),
        )]));
    }

    /// The proof-of-possession key in `cnf`, if `cnf` carries a COSE_Key.
    pub fn cnf_key(&self) -> Result<Option<PublicKey>, CwtError> {
        let Some(cnf) = &self.cnf else {
            return Ok(None);
        };
        let Value::Map(members) = cnf else {
            return Err(CwtError::InvalidClaim {
                claim: "cnf",
                reason: "not a map",
            });
        };
        let key = members
            .iter()
            .find(|(k, _)| *k == Value::Integer(CNF_COSE_KEY.into()));
        Ok(key
            .map(|(_, v)| cose::key::from_value(v.clone()))
            .transpose()?)
    }

    /// The claim set as a CBOR map: registered claims in key order, then the others.
    pub fn to_value(&self) -> Value {
        let int = |i: i64| Value::Integer(i.into());
        let registered = [
            (claim::ISS, self.iss.clone().map(Value::Text)),
            (claim::SUB, self.sub.clone().map(Value::Text)),
            (claim::AUD, self.aud.clone().map(Value::Text)),
            (claim::EXP, self.exp.map(int)),
            (claim::NBF, self.nbf.map(int)),
            (claim::IAT, self.iat.map(int)),
            (claim::CTI, self.cti.clone().map(Value::Bytes)),
            (claim::CNF, self.cnf.clone()),
        ];
        let registered = registered
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (int(k), v)));
        let other = self
            .other
            .iter()
            .map(|(l, v)| (cose::label_value(l), v.clone()));
        Value::Map(registered.chain(other).collect())
    }

    /// The encoded claim set.
    pub fn to_vec(&self) -> Vec<u8> {
        cose::encode_cbor(&self.to_value())
    }

    /// Decodes an encoded claim set (at most [`cose::DEFAULT_MAX_MESSAGE_LEN`] bytes).
    pub fn from_slice(bytes: &[u8]) -> Result<Claims, CwtError> {
        Self::from_value(cose::decode_cbor(bytes, cose::DEFAULT_MAX_MESSAGE_LEN)?)
    }

    /// Reads a claim set from a CBOR map, typing the registered claims. Duplicate keys are refused
    /// (RFC 8392 §7.1 requires a valid map).
    pub fn from_value(value: Value) -> Result<Claims, CwtError> {
        let mut claims = Claims::new();
        for (label, value) in cose::label_map(value, "CWT claims set")? {
            match label {
                Label::Int(claim::ISS) => claims.iss = Some(text(value, "iss")?),
                Label::Int(claim::SUB) => claims.sub = Some(text(value, "sub")?),
                Label::Int(claim::AUD) => claims.aud = Some(text(value, "aud")?),
                Label::Int(claim::EXP) => {
                    claims.exp = Some(numeric_date(value, "exp", f64::floor)?)
                }
                Label::Int(claim::NBF) => claims.nbf = Some(numeric_date(value, "nbf", f64::ceil)?),
                Label::Int(claim::IAT) => {
                    claims.iat = Some(numeric_date(value, "iat", f64::floor)?)
                }
                Label::Int(claim::CTI) => claims.cti = Some(bytes(value, "cti")?),
                Label::Int(claim::CNF) => claims.cnf = Some(value),
                other => claims.other.push((other, value)),
            }
        }
        Ok(claims)
    }

    /// Checks `exp`, `nbf` and `iat` against `now` (seconds since the epoch) with `skew` seconds
    /// of tolerance, at most [`MAX_CLOCK_SKEW`]. Absent claims are not required here.
    pub fn validate_time(&self, now: i64, skew: u32) -> Result<(), CwtError> {
        if skew > MAX_CLOCK_SKEW {
            return Err(CwtError::SkewTooLarge(skew));
        }
        let skew = i64::from(skew);
        // RFC 8392 §3.1.4: not accepted on or after `exp`.
        if let Some(exp) = self.exp
            && now >= exp.saturating_add(skew)
        {
            return Err(CwtError::Expired { exp, now });
        }
        if let Some(nbf) = self.nbf
            && now.saturating_add(skew) < nbf
        {
            return Err(CwtError::NotYetValid { nbf, now });
        }
        if let Some(iat) = self.iat
            && iat > now.saturating_add(skew)
        {
            return Err(CwtError::IssuedInFuture { iat, now });
        }
        Ok(())
    }
}

fn text(value: Value, claim: &'static str) -> Result<String, CwtError> {
    match value {
        Value::Text(t) => Ok(t),
        _ => Err(CwtError::InvalidClaim {
            claim,
            reason: "not a text string",
        }),
    }
}

fn bytes(value: Value, claim: &'static str) -> Result<Vec<u8>, CwtError> {
    match value {
        Value::Bytes(b) => Ok(b),
        _ => Err(CwtError::InvalidClaim {
            claim,
            reason: "not a byte string",
        }),
    }
}

const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// A NumericDate (RFC 8392 §2): an integer, or a float rounded the conservative way for the claim.
fn numeric_date(value: Value, claim: &'static str, round: fn(f64) -> f64) -> Result<i64, CwtError> {
    let out_of_range = CwtError::InvalidClaim {
        claim,
        reason: "out of range",
    };
    match value {
        Value::Integer(i) => i64::try_from(i).map_err(|_| out_of_range),
        Value::Float(f) => {
            let whole = round(f);
            // ±2^63 are exact in f64, so this range test is exact and the cast lossless.
            if whole.is_finite() && (-TWO_POW_63..TWO_POW_63).contains(&whole) {
                Ok(whole as i64)
            } else {
                Err(out_of_range)
            }
        }
        _ => Err(CwtError::InvalidClaim {
            claim,
            reason: "not a NumericDate",
        }),
    }
}

/// Signs `claims` as a CWT: a COSE_Sign1 with the encoded claim set as payload.
pub async fn sign(
    signer: &dyn Signer,
    claims: &Claims,
    opts: SignOptions<'_>,
) -> Result<CoseSign1, CwtError> {
    Ok(cose::sign1(signer, &claims.to_vec(), opts).await?)
}

/// Decodes a signed CWT: a COSE_Sign1, tagged (18) or untagged, optionally prefixed with the
/// CWT tag 61 — which must then wrap the tagged message (RFC 8392 §6).
pub fn decode(bytes: &[u8]) -> Result<CoseSign1, CwtError> {
    let value = cose::decode_cbor(bytes, cose::DEFAULT_MAX_MESSAGE_LEN)?;
    let message = match value {
        Value::Tag(CWT_TAG, inner) if matches!(*inner, Value::Tag(..)) => *inner,
        Value::Tag(CWT_TAG, _) => {
            return Err(
                CoseError::NotCoseSign1("the CWT tag must wrap a tagged COSE message").into(),
            );
        }
        other => other,
    };
    Ok(CoseSign1::from_value(message)?)
}

/// Verifies a signed CWT's signature under `opts`, decodes its claims and checks their times
/// against `now` with `skew` seconds of tolerance.
pub fn verify(
    message: &CoseSign1,
    verifier: &dyn Verifier,
    opts: &VerifyOptions<'_>,
    now: i64,
    skew: u32,
) -> Result<Claims, CwtError> {
    let payload = message.payload().ok_or(CwtError::MissingClaims)?;
    message.verify(verifier, opts)?;
    let claims = Claims::from_slice(payload)?;
    claims.validate_time(now, skew)?;
    Ok(claims)
}
