//! The VC-API issuer's identities: one did:key per key type, generated once into the data
//! directory. Ed25519 signs the eddsa suites, P-256 signs ecdsa-rdfc-2019.

use std::path::Path;

use saifu_credential::w3c::di::Cryptosuite;
use saifu_crypto::{KeyType, LocalSigner};
use saifu_did::key::did_key;

use crate::node_files::{self, NodeFileError};

/// Which of the issuer's keys; also the first part of its status list names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum KeyName {
    /// The Ed25519 key (`eddsa-rdfc-2022`, `eddsa-jcs-2022`).
    Ed25519,
    /// The P-256 key (`ecdsa-rdfc-2019`).
    P256,
}

impl KeyName {
    /// The name in status list URLs and in the store.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            KeyName::Ed25519 => "ed25519",
            KeyName::P256 => "p256",
        }
    }

    /// The key a name in a status list URL stands for.
    pub(crate) fn parse(name: &str) -> Option<KeyName> {
        [KeyName::Ed25519, KeyName::P256]
            .into_iter()
            .find(|key| key.as_str() == name)
    }

    /// The key that signs `suite`.
    pub(crate) fn for_suite(suite: Cryptosuite) -> KeyName {
        match suite {
            Cryptosuite::EddsaRdfc2022 | Cryptosuite::EddsaJcs2022 => KeyName::Ed25519,
            Cryptosuite::EcdsaRdfc2019 => KeyName::P256,
        }
    }

    /// The suite this key signs status list credentials with (an RDF suite, which every
    /// Bitstring Status List verifier supports).
    pub(crate) fn list_suite(self) -> Cryptosuite {
        match self {
            KeyName::Ed25519 => Cryptosuite::EddsaRdfc2022,
            KeyName::P256 => Cryptosuite::EcdsaRdfc2019,
        }
    }

    fn key_type(self) -> KeyType {
        match self {
            KeyName::Ed25519 => KeyType::Ed25519,
            KeyName::P256 => KeyType::P256,
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            KeyName::Ed25519 => "vc-api-ed25519-key.jwk",
            KeyName::P256 => "vc-api-p256-key.jwk",
        }
    }
}

/// One did:key identity: its DID, the verification method proofs name, and the signer.
pub(crate) struct DidKeyIssuer {
    pub(crate) did: String,
    pub(crate) method: String,
    pub(crate) signer: LocalSigner,
}

/// Both identities of the VC-API issuer.
pub(crate) struct IssuerKeys {
    ed25519: DidKeyIssuer,
    p256: DidKeyIssuer,
}

impl IssuerKeys {
    /// The keys in `data_dir`, generated on first use.
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self, NodeFileError> {
        let load = |name: KeyName| -> Result<DidKeyIssuer, NodeFileError> {
            let key = node_files::private_key(data_dir, name.file_name(), name.key_type())?;
            let did = did_key(key.public_key());
            // A did:key document's one method is `did#<multibase key>` (did:key §3.1.2).
            let method = format!("{did}#{}", did.method_specific_id());
            let signer = LocalSigner::new(key).map_err(|e| NodeFileError::Corrupt {
                path: data_dir.join(name.file_name()),
                reason: e.to_string(),
            })?;
            Ok(DidKeyIssuer {
                did: did.as_str().to_owned(),
                method,
                signer,
            })
        };
        Ok(IssuerKeys {
            ed25519: load(KeyName::Ed25519)?,
            p256: load(KeyName::P256)?,
        })
    }

    /// The identity behind `name`.
    pub(crate) fn get(&self, name: KeyName) -> &DidKeyIssuer {
        match name {
            KeyName::Ed25519 => &self.ed25519,
            KeyName::P256 => &self.p256,
        }
    }
}
