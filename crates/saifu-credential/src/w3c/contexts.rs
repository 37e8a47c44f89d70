//! The JSON-LD contexts saifu understands, bundled into the binary.
//!
//! Data Integrity signs RDF, so the meaning of every term depends on the contexts a document
//! names. Fetching them at run time would let whoever serves a context change what a signature
//! means (and leak who verifies what), so only these bundled copies are ever used and any other
//! URL is refused ([`JsonLdError::UnknownContext`](super::JsonLdError::UnknownContext)).

/// The VCDM 2.0 base context; every credential and presentation must name it first (VCDM 2.0 §4.3).
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VCDM 1.1 base context, kept for proof configurations and legacy peers.
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The Bitstring Status List 1.0 context (its terms are also in credentials v2).
pub const STATUS_V1: &str = "https://www.w3.org/ns/credentials/status/v1";

/// `(URL, document)` for every bundled context (files in `contexts/`, sources in its README).
const BUNDLED: [(&str, &str); 8] = [
    (
        CREDENTIALS_V2,
        include_str!("../../contexts/credentials-v2.jsonld"),
    ),
    (
        CREDENTIALS_V1,
        include_str!("../../contexts/credentials-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("../../contexts/credentials-examples-v2.jsonld"),
    ),
    (
        STATUS_V1,
        include_str!("../../contexts/credentials-status-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../../contexts/data-integrity-v2.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../../contexts/multikey-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/did/v1",
        include_str!("../../contexts/did-v1.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v4rc1",
        include_str!("../../contexts/citizenship-v4rc1.jsonld"),
    ),
];

/// The bundled document for `url`, or `None` when saifu does not ship that context.
pub fn bundled(url: &str) -> Option<&'static str> {
    BUNDLED
        .iter()
        .find(|(known, _)| *known == url)
        .map(|(_, document)| *document)
}

/// Every bundled context URL, e.g. for a peer's static document loader.
pub fn urls() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(url, _)| *url)
}
