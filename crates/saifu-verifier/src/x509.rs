//! A development X.509 CA and leaf certificate for the `x509_san_dns:` client identifier prefix
//! (OpenID4VP 1.0 §5.9.3): the leaf's subjectAltName dNSName is the verifier's host and its key
//! signs the request objects; the chain travels in the JWS `x5c` header. Wallets trust the CA
//! certificate out of band. Production deployments bring a certificate from a real CA instead.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256, PublicKeyData, SanType, SignatureAlgorithm,
};
use saifu_crypto::{CryptoError, KeyType, LocalSigner, PrivateKey, Signer, b64};

/// Why the development certificates could not be made.
#[derive(Debug, thiserror::Error)]
pub enum X509Error {
    /// The host is not a valid dNSName.
    #[error("`{0}` cannot be a certificate dNSName")]
    InvalidHost(String),
    /// rcgen refused the parameters.
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The leaf key could not be made.
    #[error("leaf key generation failed: {0}")]
    Key(#[from] CryptoError),
}

/// A signing identity for `x509_san_dns:<host>`: the leaf key and the chain (leaf first, DER).
pub struct X509Identity {
    host: String,
    chain: Vec<Vec<u8>>,
    signer: LocalSigner,
}

impl std::fmt::Debug for X509Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X509Identity")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl X509Identity {
    /// An identity from an existing chain (leaf first, DER) whose leaf certifies `signer`'s key
    /// for `host`; the chain is not checked here, wallets check it.
    pub fn new(host: String, chain: Vec<Vec<u8>>, signer: LocalSigner) -> Self {
        X509Identity {
            host,
            chain,
            signer,
        }
    }

    /// The dNSName the leaf certifies: the client identifier is `x509_san_dns:{host}`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The `x5c` header value: standard base64 DER, leaf first (RFC 7515 §4.1.6).
    pub fn x5c(&self) -> Vec<String> {
        self.chain.iter().map(|der| STANDARD.encode(der)).collect()
    }

    /// The key that signs request objects.
    pub fn signer(&self) -> &LocalSigner {
        &self.signer
    }
}

/// A freshly generated development CA and a leaf for one host.
#[derive(Debug)]
pub struct DevelopmentCa {
    /// The self-signed CA certificate (DER) wallets must trust.
    pub ca_certificate: Vec<u8>,
    /// The leaf identity, chain = [leaf, CA].
    pub identity: X509Identity,
}

impl DevelopmentCa {
    /// Generates a P-256 CA and a P-256 leaf whose only subjectAltName is dNSName `host`.
    pub fn generate(host: &str) -> Result<DevelopmentCa, X509Error> {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "saifu development verifier CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key)?;

        let leaf_key = PrivateKey::generate(KeyType::P256)?;
        let signer = LocalSigner::new(leaf_key)?;
        let mut leaf_params = CertificateParams::new(Vec::<String>::new())?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, host);
        leaf_params.subject_alt_names = vec![SanType::DnsName(
            host.try_into()
                .map_err(|_| X509Error::InvalidHost(host.to_owned()))?,
        )];
        // A node addressed by IP (development on loopback) also gets the IP address SAN that
        // strict certificate checkers (webpki) match IP literals against.
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            leaf_params.subject_alt_names.push(SanType::IpAddress(ip));
        }
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let leaf = leaf_params.signed_by(&LeafKey::of(&signer)?, &ca, &ca_key)?;

        Ok(DevelopmentCa {
            ca_certificate: ca.der().to_vec(),
            identity: X509Identity::new(
                host.to_owned(),
                vec![leaf.der().to_vec(), ca.der().to_vec()],
                signer,
            ),
        })
    }
}

/// A saifu P-256 public key as rcgen needs it: the uncompressed SEC1 point.
struct LeafKey(Vec<u8>);

impl LeafKey {
    fn of(signer: &LocalSigner) -> Result<LeafKey, CryptoError> {
        let jwk = signer.public_key().to_jwk();
        let coordinate =
            |value: Option<&String>, what| b64::decode(value.map_or("", String::as_str), what);
        let mut point = vec![0x04];
        point.extend(coordinate(jwk.x.as_ref(), "P-256 x")?);
        point.extend(coordinate(jwk.y.as_ref(), "P-256 y")?);
        Ok(LeafKey(point))
    }
}

impl PublicKeyData for LeafKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &SignatureAlgorithm {
        &PKCS_ECDSA_P256_SHA256
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    use super::DevelopmentCa;

    #[test]
    fn leaf_certifies_the_host_under_the_ca() {
        let ca = DevelopmentCa::generate("verifier.example").expect("generate");
        let x5c = ca.identity.x5c();
        assert_eq!(x5c.len(), 2);
        assert_eq!(x5c[1], STANDARD.encode(&ca.ca_certificate));
        assert_eq!(ca.identity.host(), "verifier.example");
        let leaf = STANDARD.decode(&x5c[0]).expect("base64");
        let host = b"verifier.example";
        assert!(leaf.windows(host.len()).any(|w| w == host), "SAN in leaf");
    }

    #[test]
    fn a_non_ascii_host_is_refused() {
        assert!(matches!(
            DevelopmentCa::generate("h\u{e9}te.example"),
            Err(super::X509Error::InvalidHost(_))
        ));
    }
}
