//! The `x509_san_dns:` Client Identifier Prefix (OpenID4VP 1.0 §5.9.3, HAIP's default): the
//! request object carries a certificate chain in `x5c`; the leaf must chain to a CA the wallet
//! trusts, name the client identifier's DNS name (or IP address) in its subjectAltName, and
//! have signed the request object.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::{CertificateDer, DnsName, ServerName, TrustAnchor, UnixTime};
use saifu_crypto::jws::DecodedJws;
use serde_json::Value;
use webpki::{EndEntityCert, KeyUsage};

use super::request::RequestError;

/// Longest chain accepted in `x5c`.
const MAX_CHAIN: usize = 5;

/// Checks `object` (decoded as `decoded`) against `name`, the value of an `x509_san_dns:`
/// client identifier, with the CAs in `anchors` (DER).
pub fn verify(
    object: &str,
    decoded: &DecodedJws,
    name: &str,
    anchors: &[Vec<u8>],
) -> Result<(), RequestError> {
    let untrusted = |why: String| RequestError::UntrustedCertificate(why);
    let chain: Vec<CertificateDer<'static>> = decoded
        .protected
        .get("x5c")
        .and_then(Value::as_array)
        .filter(|chain| !chain.is_empty() && chain.len() <= MAX_CHAIN)
        .ok_or_else(|| untrusted("no x5c certificate chain in the request object".into()))?
        .iter()
        .map(|cert| {
            cert.as_str()
                .and_then(|b64| STANDARD.decode(b64).ok())
                .map(CertificateDer::from)
                .ok_or_else(|| untrusted("an x5c entry is not base64 DER".into()))
        })
        .collect::<Result<_, _>>()?;
    let trust: Vec<TrustAnchor<'_>> = anchors
        .iter()
        .filter_map(|der| {
            let der = CertificateDer::from(der.as_slice());
            webpki::anchor_from_trusted_cert(&der)
                .ok()
                .map(|a| a.to_owned())
        })
        .collect();
    let leaf = EndEntityCert::try_from(&chain[0]).map_err(|e| untrusted(format!("leaf: {e}")))?;
    leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &trust,
        &chain[1..],
        UnixTime::now(),
        KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| untrusted(format!("the chain does not lead to a trusted CA: {e}")))?;
    // The prefix names a dNSName SAN (§5.9.3); an IP literal (a development verifier on
    // loopback) is matched against the certificate's IP address SAN instead.
    let server_name = match name.parse::<std::net::IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => DnsName::try_from(name.to_owned())
            .map(ServerName::DnsName)
            .map_err(|_| untrusted(format!("`{name}` is not a DNS name")))?,
    };
    leaf.verify_is_valid_for_subject_name(&server_name)
        .map_err(|e| untrusted(format!("the certificate is not for {name}: {e}")))?;
    let signature = object
        .rsplit('.')
        .next()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .ok_or_else(|| RequestError::BadSignature("malformed signature".into()))?;
    let (algorithm, signature) = match decoded.alg() {
        "ES256" => {
            let raw = p256::ecdsa::Signature::from_slice(&signature)
                .map_err(|e| RequestError::BadSignature(e.to_string()))?;
            (
                webpki::ring::ECDSA_P256_SHA256,
                raw.to_der().as_bytes().to_vec(),
            )
        }
        "EdDSA" | "Ed25519" => (webpki::ring::ED25519, signature),
        other => {
            return Err(RequestError::BadSignature(format!(
                "alg {other} is not accepted with x509_san_dns (ES256, EdDSA are)"
            )));
        }
    };
    leaf.verify_signature(algorithm, decoded.signing_input(), &signature)
        .map_err(|e| {
            RequestError::BadSignature(format!("not signed by the certificate's key: {e}"))
        })
}
