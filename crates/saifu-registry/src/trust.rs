//! Trust statements: "authority A recognises entity E for action X on resource R at assurance
//! level L from F until U", signed by A and appended to the log, and how the latest of them
//! answers a Trust over IP TRQP v2.0 query.
//!
//! A statement is signed as a detached compact JWS (RFC 7515 Appendix F) over its canonical
//! JSON, with `kid` a DID URL of the authority; the registry resolves that key and checks the
//! signature before appending. Later statements for the same (authority, entity, relation,
//! action, resource) supersede earlier ones — that is how a recognition is withdrawn or its
//! dates changed. "Later" is the statement's own `issued_at` (ties: the later leaf), not the
//! order of appends, so replaying an old signed statement never revives a withdrawn one.

use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, Signer, Verifier};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest proof (compact JWS with an ML-DSA-65 signature and a long `kid`) accepted.
const MAX_PROOF_LEN: usize = 8 * 1024;
/// The protected `typ` of a trust statement's JWS, so it cannot be confused with other JWTs.
pub const PROOF_TYPE: &str = "saifu-trust-statement+jws";

/// Why a trust statement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustStatementError {
    /// A required string member is empty.
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    /// `valid_until` is not after `valid_from`.
    #[error("valid_until must be after valid_from")]
    BadValidity,
    /// The proof is not a detached compact JWS of the expected type.
    #[error("malformed proof: {0}")]
    MalformedProof(String),
    /// The proof's `kid` is not a DID URL of the authority.
    #[error("the proof key {kid} is not a key of the authority {authority}")]
    WrongKey {
        /// The proof's `kid`.
        kid: String,
        /// The statement's authority.
        authority: String,
    },
    /// The signature does not verify under the authority's key.
    #[error("the authority's signature does not verify: {0}")]
    BadSignature(String),
    /// The signer could not sign.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// TRQP's two questions (v2.0 "Query Types"): is the entity *authorized* for an action on a
/// resource, or *recognized* (as a peer authority) for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// An authorization query's subject, e.g. an issuer authorized to issue a credential type.
    Authorization,
    /// A recognition query's subject: another authority the authority recognises.
    Recognition,
}

impl Relation {
    /// The stable name stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Authorization => "authorization",
            Relation::Recognition => "recognition",
        }
    }
}

/// Levels of assurance, lowest first (the eIDAS levels, Regulation 2015/1502).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssuranceLevel {
    /// Limited confidence.
    Low,
    /// Substantial confidence.
    Substantial,
    /// High confidence.
    High,
}

impl AssuranceLevel {
    /// The stable name (`low`, `substantial`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            AssuranceLevel::Low => "low",
            AssuranceLevel::Substantial => "substantial",
            AssuranceLevel::High => "high",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<AssuranceLevel> {
        [
            AssuranceLevel::Low,
            AssuranceLevel::Substantial,
            AssuranceLevel::High,
        ]
        .into_iter()
        .find(|level| level.as_str() == name)
    }
}

/// What an authority states about an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustStatement {
    /// The authority (a DID) whose key signs the statement.
    pub authority_id: String,
    /// The entity it speaks about, e.g. an issuer's `iss`.
    pub entity_id: String,
    /// Authorization or recognition.
    pub relation: Relation,
    /// The action, e.g. `issue`.
    pub action: String,
    /// What the action is on, e.g. a credential type (`vct`).
    pub resource: String,
    /// The level of assurance the authority vouches for.
    pub assurance_level: AssuranceLevel,
    /// Start of validity, Unix seconds.
    pub valid_from: i64,
    /// End of validity, Unix seconds; open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<i64>,
    /// `true` withdraws any earlier statement for the same subject.
    pub withdrawn: bool,
    /// When the authority made the statement, Unix seconds; orders statements.
    pub issued_at: i64,
}

/// The key identifying which statements supersede each other.
pub type SubjectKey = (String, String, Relation, String, String);

impl TrustStatement {
    /// Checks the members make sense on their own.
    pub fn validate(&self) -> Result<(), TrustStatementError> {
        for (name, value) in [
            ("authority_id", &self.authority_id),
            ("entity_id", &self.entity_id),
            ("action", &self.action),
            ("resource", &self.resource),
        ] {
            if value.is_empty() {
                return Err(TrustStatementError::Empty(name));
            }
        }
        if self
            .valid_until
            .is_some_and(|until| until <= self.valid_from)
        {
            return Err(TrustStatementError::BadValidity);
        }
        Ok(())
    }

    /// (authority, entity, relation, action, resource).
    pub fn subject(&self) -> SubjectKey {
        (
            self.authority_id.clone(),
            self.entity_id.clone(),
            self.relation,
            self.action.clone(),
            self.resource.clone(),
        )
    }

    fn canonical(&self) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }

    /// What the statement says at Unix time `at`.
    pub fn standing(&self, at: i64) -> Standing {
        if self.withdrawn {
            Standing::Withdrawn
        } else if at < self.valid_from {
            Standing::NotYetValid {
                valid_from: self.valid_from,
            }
        } else if self.valid_until.is_some_and(|until| at >= until) {
            Standing::Expired {
                valid_until: self.valid_until.unwrap_or_default(),
            }
        } else {
            Standing::InForce
        }
    }
}

/// What the latest statement about a subject says at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "standing")]
pub enum Standing {
    /// Recognised right now.
    InForce,
    /// The authority withdrew it.
    Withdrawn,
    /// Its validity ended.
    Expired {
        /// End of validity, Unix seconds.
        valid_until: i64,
    },
    /// Its validity has not begun.
    NotYetValid {
        /// Start of validity, Unix seconds.
        valid_from: i64,
    },
}

/// A statement with the authority's detached JWS over its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTrustStatement {
    /// The statement.
    pub statement: TrustStatement,
    /// Detached compact JWS (`header..signature`) over the statement's canonical JSON.
    pub proof: String,
}

impl SignedTrustStatement {
    /// Signs `statement` with `signer`, whose `key_id` must be a DID URL of the authority.
    pub async fn sign(
        statement: TrustStatement,
        signer: &dyn Signer,
    ) -> Result<SignedTrustStatement, TrustStatementError> {
        statement.validate()?;
        let mut header = Map::new();
        header.insert("typ".into(), Value::String(PROOF_TYPE.into()));
        let compact = jws::sign_compact(&header, &statement.canonical(), signer)
            .await
            .map_err(|e| TrustStatementError::Signing(e.to_string()))?;
        let mut parts = compact.split('.');
        let (Some(protected), Some(_), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(TrustStatementError::Signing("not a compact JWS".into()));
        };
        let signed = SignedTrustStatement {
            proof: format!("{protected}..{signature}"),
            statement,
        };
        signed.kid()?;
        Ok(signed)
    }

    /// The proof's `kid` (a DID URL of the authority), after checking the proof's shape.
    pub fn kid(&self) -> Result<String, TrustStatementError> {
        let decoded = jws::decode_compact_detached(
            &self.proof,
            &self.statement.canonical(),
            MAX_PROOF_LEN + 64 * 1024,
        )
        .map_err(|e| TrustStatementError::MalformedProof(e.to_string()))?;
        if decoded.protected.get("typ").and_then(Value::as_str) != Some(PROOF_TYPE) {
            return Err(TrustStatementError::MalformedProof(format!(
                "typ must be {PROOF_TYPE}"
            )));
        }
        let kid = decoded
            .protected
            .get("kid")
            .and_then(Value::as_str)
            .ok_or_else(|| TrustStatementError::MalformedProof("no kid".into()))?;
        let authority = &self.statement.authority_id;
        if kid.split_once('#').map(|(did, _)| did) != Some(authority.as_str()) {
            return Err(TrustStatementError::WrongKey {
                kid: kid.to_owned(),
                authority: authority.clone(),
            });
        }
        Ok(kid.to_owned())
    }

    /// Checks the statement and its proof under `key`, the key `kid` names.
    pub fn verify(&self, key: &dyn Verifier) -> Result<(), TrustStatementError> {
        self.statement.validate()?;
        if self.proof.len() > MAX_PROOF_LEN {
            return Err(TrustStatementError::MalformedProof("proof too long".into()));
        }
        self.kid()?;
        let decoded = jws::decode_compact_detached(
            &self.proof,
            &self.statement.canonical(),
            MAX_PROOF_LEN + 64 * 1024,
        )
        .map_err(|e| TrustStatementError::MalformedProof(e.to_string()))?;
        decoded
            .verify(key, &VerifyPolicy::new(&Algorithm::ALL))
            .map_err(|e| TrustStatementError::BadSignature(e.to_string()))?;
        Ok(())
    }
}

/// Of several statements about one subject (each with its leaf index), the one in force: the
/// greatest `issued_at`, then the greatest leaf index.
pub fn latest<'a>(
    statements: impl IntoIterator<Item = (u64, &'a TrustStatement)>,
) -> Option<(u64, &'a TrustStatement)> {
    statements
        .into_iter()
        .max_by_key(|(leaf, statement)| (statement.issued_at, *leaf))
}
