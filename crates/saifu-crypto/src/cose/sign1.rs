//! COSE_Sign1 (RFC 9052 §4.2) and its Sig_structure (§4.4).

use ciborium::Value;
use coset::{ProtectedHeader, SignatureContext, sig_structure_data};

use super::{
    COSE_SIGN1_TAG, ContentType, CoseError, DEFAULT_MAX_MESSAGE_LEN, Header, Label, decode_cbor,
    encode_cbor, label,
};
use crate::{Algorithm, CryptoError, Signer, Verifier};

/// A COSE_Sign1 message: protected header (kept as the exact bytes signed), unprotected header,
/// payload (absent when detached) and signature.
#[derive(Debug, Clone, PartialEq)]
pub struct CoseSign1 {
    protected_bytes: Vec<u8>,
    protected: Header,
    unprotected: Header,
    payload: Option<Vec<u8>>,
    signature: Vec<u8>,
}

/// What [`sign1`] puts in the message besides `alg` and the signer's `kid`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignOptions<'a> {
    /// Protected `content type` of the payload.
    pub content_type: Option<ContentType>,
    /// Externally supplied data bound into the signature but not carried (RFC 9052 §4.3).
    pub external_aad: &'a [u8],
    /// Leave the payload out of the message (it is then conveyed separately).
    pub detached: bool,
    /// Further protected parameters (e.g. `typ`), after `alg`, `content type` and `kid`.
    pub protected: Header,
    /// Unprotected parameters (e.g. `x5chain`).
    pub unprotected: Header,
}

/// What the verifier accepts. There is no default: the caller must name its algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions<'a> {
    /// Algorithms accepted; anything else is [`CoseError::AlgorithmNotAllowed`].
    pub allowed_algorithms: &'a [Algorithm],
    /// External AAD the signer bound in (empty if none).
    pub external_aad: &'a [u8],
    /// The payload, when the message carries none.
    pub detached_payload: Option<&'a [u8]>,
    /// `crit` labels the caller processes; any other listed label is rejected.
    pub understood_critical: &'a [Label],
}

impl<'a> VerifyOptions<'a> {
    /// Options accepting `allowed_algorithms`, with no external AAD, an embedded payload and no
    /// critical extensions.
    pub fn new(allowed_algorithms: &'a [Algorithm]) -> Self {
        VerifyOptions {
            allowed_algorithms,
            external_aad: &[],
            detached_payload: None,
            understood_critical: &[],
        }
    }
}

/// Signs `payload` into a COSE_Sign1 whose protected header holds `alg` (the signer's), then
/// `content type` and the signer's `kid` (as UTF-8 bytes) when present, then `opts.protected`.
pub async fn sign1(
    signer: &dyn Signer,
    payload: &[u8],
    opts: SignOptions<'_>,
) -> Result<CoseSign1, CoseError> {
    let mut protected = Header::new();
    protected.insert(
        Label::Int(label::ALG),
        Value::Integer(signer.algorithm().cose_id().into()),
    )?;
    if let Some(ct) = opts.content_type {
        protected.insert(Label::Int(label::CONTENT_TYPE), ct.into())?;
    }
    if let Some(kid) = signer.key_id() {
        protected.insert(
            Label::Int(label::KID),
            Value::Bytes(kid.as_bytes().to_vec()),
        )?;
    }
    for (l, v) in opts.protected.iter() {
        protected.insert(l.clone(), v.clone())?;
    }
    check_disjoint(&protected, &opts.unprotected)?;
    let protected_bytes = protected.to_protected_bytes();
    let tbs = sig_structure(&protected_bytes, opts.external_aad, payload);
    let signature = signer.sign(&tbs).await?;
    Ok(CoseSign1 {
        protected_bytes,
        protected,
        unprotected: opts.unprotected,
        payload: (!opts.detached).then(|| payload.to_vec()),
        signature,
    })
}

/// The Sig_structure for COSE_Sign1 (RFC 9052 §4.4) over already-encoded protected bytes.
fn sig_structure(protected_bytes: &[u8], external_aad: &[u8], payload: &[u8]) -> Vec<u8> {
    let body = ProtectedHeader {
        original_data: Some(protected_bytes.to_vec()),
        ..Default::default()
    };
    sig_structure_data(
        SignatureContext::CoseSign1,
        body,
        None,
        external_aad,
        payload,
    )
}

fn check_disjoint(protected: &Header, unprotected: &Header) -> Result<(), CoseError> {
    match unprotected.iter().find(|(l, _)| protected.get(l).is_some()) {
        Some((l, _)) => Err(CoseError::DuplicateLabel(l.clone())),
        None => Ok(()),
    }
}

impl CoseSign1 {
    /// Decodes a tagged (18) or untagged COSE_Sign1 of at most [`DEFAULT_MAX_MESSAGE_LEN`] bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<CoseSign1, CoseError> {
        Self::from_slice_with_limit(bytes, DEFAULT_MAX_MESSAGE_LEN)
    }

    /// Decodes a tagged (18) or untagged COSE_Sign1 of at most `max_len` bytes.
    pub fn from_slice_with_limit(bytes: &[u8], max_len: usize) -> Result<CoseSign1, CoseError> {
        Self::from_value(decode_cbor(bytes, max_len)?)
    }

    /// Reads a COSE_Sign1 from a decoded CBOR item (tagged 18 or untagged), e.g. one embedded in
    /// a larger structure.
    pub fn from_value(value: Value) -> Result<CoseSign1, CoseError> {
        let value = match value {
            Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
            Value::Tag(other, _) => return Err(CoseError::UnexpectedTag(other)),
            untagged => untagged,
        };
        let Value::Array(items) = value else {
            return Err(CoseError::NotCoseSign1("not an array"));
        };
        let [protected, unprotected, payload, signature]: [Value; 4] = items
            .try_into()
            .map_err(|_| CoseError::NotCoseSign1("array length is not 4"))?;
        let Value::Bytes(protected_bytes) = protected else {
            return Err(CoseError::NotCoseSign1(
                "protected header is not a byte string",
            ));
        };
        let protected = decode_protected(&protected_bytes)?;
        let unprotected = Header::from_value(unprotected, "unprotected header")?;
        check_disjoint(&protected, &unprotected)?;
        let payload = match payload {
            Value::Bytes(b) => Some(b),
            Value::Null => None,
            _ => {
                return Err(CoseError::NotCoseSign1(
                    "payload is neither a byte string nor nil",
                ));
            }
        };
        let Value::Bytes(signature) = signature else {
            return Err(CoseError::NotCoseSign1("signature is not a byte string"));
        };
        Ok(CoseSign1 {
            protected_bytes,
            protected,
            unprotected,
            payload,
            signature,
        })
    }

    /// The message as an untagged CBOR item, for embedding (e.g. mdoc `issuerAuth`).
    pub fn to_value(&self) -> Value {
        Value::Array(vec![
            Value::Bytes(self.protected_bytes.clone()),
            self.unprotected.to_value(),
            self.payload.clone().map_or(Value::Null, Value::Bytes),
            Value::Bytes(self.signature.clone()),
        ])
    }

    /// The message encoded with the COSE_Sign1 tag 18.
    pub fn to_vec(&self) -> Vec<u8> {
        encode_cbor(&Value::Tag(COSE_SIGN1_TAG, Box::new(self.to_value())))
    }

    /// The protected header.
    pub fn protected(&self) -> &Header {
        &self.protected
    }

    /// The protected header exactly as encoded in the message.
    pub fn protected_bytes(&self) -> &[u8] {
        &self.protected_bytes
    }

    /// The unprotected header (not covered by the signature).
    pub fn unprotected(&self) -> &Header {
        &self.unprotected
    }

    /// The embedded payload; `None` when detached.
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The algorithm from the protected header. An `alg` found only in the unprotected header is
    /// [`CoseError::AlgorithmNotProtected`] (RFC 9052 §3.1: it must be authenticated).
    pub fn algorithm(&self) -> Result<Algorithm, CoseError> {
        match self.protected.algorithm()? {
            Some(alg) => Ok(alg),
            None if self.unprotected.get(&Label::Int(label::ALG)).is_some() => {
                Err(CoseError::AlgorithmNotProtected)
            }
            None => Err(CoseError::MissingAlgorithm),
        }
    }

    /// The ToBeSigned bytes (Sig_structure, RFC 9052 §4.4). `detached_payload` must be given
    /// exactly when the message carries no payload. An empty protected map, even if sent as the
    /// one-byte map `a0`, enters as a zero-length string: §4.4 says a zero-length string is used
    /// when there are no protected attributes.
    pub fn tbs_data(
        &self,
        external_aad: &[u8],
        detached_payload: Option<&[u8]>,
    ) -> Result<Vec<u8>, CoseError> {
        let payload = match (self.payload.as_deref(), detached_payload) {
            (Some(p), None) | (None, Some(p)) => p,
            (None, None) => return Err(CoseError::MissingPayload),
            (Some(_), Some(_)) => return Err(CoseError::UnexpectedDetachedPayload),
        };
        let protected: &[u8] = if self.protected.is_empty() {
            &[]
        } else {
            &self.protected_bytes
        };
        Ok(sig_structure(protected, external_aad, payload))
    }

    /// Verifies the signature with `verifier` under `opts`, returning the algorithm used.
    ///
    /// Checks, in order: `alg` protected and supported, `alg` allowed, every `crit` label
    /// understood and protected, `alg` matching the key type, then the signature.
    pub fn verify(
        &self,
        verifier: &dyn Verifier,
        opts: &VerifyOptions<'_>,
    ) -> Result<Algorithm, CoseError> {
        let alg = self.algorithm()?;
        if !opts.allowed_algorithms.contains(&alg) {
            return Err(CoseError::AlgorithmNotAllowed(alg));
        }
        self.check_critical(opts.understood_critical)?;
        if alg.key_type() != verifier.key_type() {
            return Err(CryptoError::AlgorithmKeyMismatch {
                alg,
                key_type: verifier.key_type(),
            }
            .into());
        }
        let tbs = self.tbs_data(opts.external_aad, opts.detached_payload)?;
        verifier.verify(alg, &tbs, &self.signature)?;
        Ok(alg)
    }

    /// RFC 9052 §3.1: `crit` is protected, and each label it lists is understood and present.
    fn check_critical(&self, understood: &[Label]) -> Result<(), CoseError> {
        if self.unprotected.get(&Label::Int(label::CRIT)).is_some() {
            return Err(CoseError::MalformedHeader(
                "crit must be in the protected header".into(),
            ));
        }
        for label in self.protected.critical()? {
            if !understood.contains(&label) {
                return Err(CoseError::UnknownCritical(label));
            }
            if self.protected.get(&label).is_none() {
                return Err(CoseError::MalformedHeader(format!(
                    "crit lists {label:?}, which is not in the protected header"
                )));
            }
        }
        Ok(())
    }
}

/// Decodes the protected bucket: a zero-length string is an empty header (RFC 9052 §3).
fn decode_protected(bytes: &[u8]) -> Result<Header, CoseError> {
    if bytes.is_empty() {
        return Ok(Header::new());
    }
    Header::from_value(decode_cbor(bytes, bytes.len())?, "protected header")
}
