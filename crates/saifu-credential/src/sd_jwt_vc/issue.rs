//! Issuing an SD-JWT VC: an [`Issuance`] with the profile's header and claim rules applied.

use saifu_crypto::{Jwk, Signer};
use serde_json::{Map, Value};

use super::{NEVER_DISCLOSABLE, SdJwtVcError, TYP};
use crate::sd_jwt::{ClaimPath, Issuance, SdJwt, Segment};
use crate::status::StatusReference;

/// An SD-JWT VC being built. The registered claims are set through methods so they can never be
/// made selectively disclosable; the subject claims go to [`VcIssuance::new`].
#[derive(Debug, Clone)]
pub struct VcIssuance {
    inner: Issuance,
}

impl VcIssuance {
    /// Starts a credential of type `vct` with the subject `claims`; `typ` is `dc+sd-jwt`.
    pub fn new(vct: &str, mut claims: Map<String, Value>) -> VcIssuance {
        claims.insert("vct".into(), Value::String(vct.into()));
        VcIssuance {
            inner: Issuance::new(claims).header("typ", Value::String(TYP.into())),
        }
    }

    fn claim(self, name: &str, value: Value) -> VcIssuance {
        VcIssuance {
            inner: self.inner.claim(name, value),
        }
    }

    /// Sets `iss` (a URL for JWT VC Issuer Metadata, or a DID whose key `kid` names).
    pub fn issuer(self, iss: &str) -> VcIssuance {
        self.claim("iss", Value::String(iss.into()))
    }

    /// Sets `iat`, `nbf` and `exp` (seconds since the epoch); `None` leaves a claim out.
    pub fn validity(self, iat: Option<i64>, nbf: Option<i64>, exp: Option<i64>) -> VcIssuance {
        [("iat", iat), ("nbf", nbf), ("exp", exp)]
            .into_iter()
            .fold(self, |vc, (name, time)| match time {
                Some(t) => vc.claim(name, Value::from(t)),
                None => vc,
            })
    }

    /// Sets `vct#integrity` (an SRI string over the Type Metadata document).
    pub fn vct_integrity(self, sri: &str) -> VcIssuance {
        self.claim("vct#integrity", Value::String(sri.into()))
    }

    /// Points `status.status_list` at the token's entry in a Token Status List.
    pub fn status(self, reference: &StatusReference) -> VcIssuance {
        let status =
            serde_json::json!({"status_list": {"idx": reference.idx(), "uri": reference.uri()}});
        self.claim("status", status)
    }

    /// Binds the credential to the holder key (`cnf.jwk`).
    pub fn holder_key(self, jwk: &Jwk) -> VcIssuance {
        VcIssuance {
            inner: self.inner.holder_key(jwk),
        }
    }

    /// Sets the `kid` header (e.g. the DID URL of the issuer's assertion key).
    pub fn key_id(self, kid: &str) -> VcIssuance {
        VcIssuance {
            inner: self.inner.header("kid", Value::String(kid.into())),
        }
    }

    /// Makes the claim at `path` selectively disclosable.
    pub fn disclosable(self, path: ClaimPath) -> VcIssuance {
        VcIssuance {
            inner: self.inner.disclosable(path),
        }
    }

    /// Adds `count` decoy digests per `_sd` array.
    pub fn decoys(self, count: usize) -> VcIssuance {
        VcIssuance {
            inner: self.inner.decoys(count),
        }
    }

    /// Signs, refusing to make any of [`NEVER_DISCLOSABLE`] selectively disclosable.
    pub async fn sign(self, signer: &dyn Signer) -> Result<SdJwt, SdJwtVcError> {
        for path in self.inner.disclosable_paths() {
            if let [Segment::Name(name)] = path.segments()
                && NEVER_DISCLOSABLE.contains(&name.as_str())
            {
                return Err(SdJwtVcError::NeverDisclosable(name.clone()));
            }
        }
        Ok(self.inner.sign(signer).await?)
    }
}
