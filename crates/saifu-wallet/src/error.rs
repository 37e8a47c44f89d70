//! Why a wallet operation failed. Every variant says what to do next where there is something to
//! do, and every failure leaves the wallet as it was.

use std::path::PathBuf;

use saifu_did::http::HttpError;
use saifu_oid4vc::vci::offer::OfferError;

use crate::present::RequestError;

/// Why a wallet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// A wallet needs a passphrase to seal it.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
    /// The passphrase does not unlock this wallet.
    #[error("wrong passphrase: the wallet did not unlock (nothing was read or changed)")]
    WrongPassphrase,
    /// The file, or one of its records, is not what the wallet wrote.
    #[error("the wallet file is corrupted: {0}; restore it from a backup")]
    Corrupted(String),
    /// `init` would overwrite an existing wallet.
    #[error("a wallet already exists at {0}")]
    AlreadyExists(PathBuf),
    /// There is no wallet at the path.
    #[error("no wallet at {0}: create one with `saifu wallet init`")]
    NotFound(PathBuf),
    /// Writing the wallet file failed.
    #[error("the wallet file could not be written: {0}")]
    Storage(String),
    /// A backup could not be written or read.
    #[error("backup: {0}")]
    Backup(String),
    /// An outbound request was refused or failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The credential offer is malformed.
    #[error("invalid credential offer: {0}")]
    Offer(#[from] OfferError),
    /// The issuer's metadata is missing, malformed or inconsistent with the offer.
    #[error("issuer metadata: {0}")]
    Metadata(String),
    /// The offer is protected by a PIN (transaction code) that was not given.
    #[error("this offer needs the PIN the issuer sent you separately: {0}")]
    PinRequired(String),
    /// The issuer refused the PIN.
    #[error("the issuer refused the PIN{}", .0.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    WrongPin(Option<String>),
    /// An issuer or verifier endpoint answered with an error.
    #[error("{endpoint} answered HTTP {status} `{error}`{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Protocol {
        /// The endpoint's URL.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code (or `http_error` when the body has none).
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// An answer is not what the protocol prescribes.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// A credential the issuer sent does not verify or is not bound to the wallet's key.
    #[error("the issued credential was rejected: {0}")]
    InvalidCredential(String),
    /// The offer or request uses something this wallet does not implement.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// No credential (or pending issuance) has this id.
    #[error("no credential {0} in this wallet: see `saifu wallet list`")]
    UnknownCredential(String),
    /// The presentation request is invalid or its sender could not be authenticated.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The wallet holds nothing that answers a required part of the request.
    #[error("this wallet cannot answer the request: {0}")]
    CannotSatisfy(String),
    /// The holder withheld a claim the verifier requires: declining is the honest answer.
    #[error(
        "`{path}` is required by the verifier for `{query}`; withholding it means declining the request"
    )]
    RequiredClaimWithheld {
        /// The credential query.
        query: String,
        /// The claim path.
        path: String,
    },
    /// Every copy of a credential was already shown to another verifier: presenting would let
    /// the two link the holder.
    #[error(
        "every copy of credential {credential} was already shown to another verifier; presenting it lets them link you (approve with allow_linkable to accept, or get fresh copies)"
    )]
    Linkable {
        /// The credential id.
        credential: String,
    },
    /// The approval names a credential the consent view did not offer for that query.
    #[error("credential {credential} was not offered for query `{query}`")]
    NotOffered {
        /// The credential query.
        query: String,
        /// The credential id.
        credential: String,
    },
    /// A key or signature operation failed.
    #[error("cryptography: {0}")]
    Crypto(#[from] saifu_crypto::CryptoError),
}
