//! Credential Endpoint messages (OpenID4VCI 1.0 §8) and the smaller endpoints around it: Nonce
//! (§7), Deferred Credential (§9) and Notification (§11).

mod deferred;
mod error;
mod nonce;
mod notification;
mod request;
mod response;

pub use deferred::DeferredCredentialRequest;
pub use error::{CredentialError, NotificationError};
pub use nonce::NonceResponse;
pub use notification::{NO_CONTENT, NotificationEvent, NotificationRequest};
pub use request::{
    CredentialRequest, CredentialRequestError, CredentialTarget, Proofs, ResponseEncryptionParams,
};
pub use response::{
    CredentialResponse, CredentialResponseError, DeferredPending, Issued, IssuedCredential,
};
