//! ML-DSA-44/65 (FIPS 204, RFC 9964): JWK form, sizes, and a differential test against the
//! independent `fips204` crate — each implementation verifies the other's signatures.

use fips204::traits::{KeyGen, SerDes, Signer as _, Verifier as _};
use saifu_crypto::{Algorithm, Jwk, KeyType, PrivateKey, PublicKey};

#[test]
fn akp_jwk_has_the_rfc9964_shape() {
    for (kt, alg, pk_len) in [
        (KeyType::MlDsa44, "ML-DSA-44", 1312),
        (KeyType::MlDsa65, "ML-DSA-65", 1952),
    ] {
        let key = PrivateKey::generate(kt).unwrap();
        let jwk = key.to_jwk();
        assert_eq!(jwk.kty, "AKP");
        assert_eq!(jwk.alg.as_deref(), Some(alg));
        assert_eq!(
            saifu_crypto::b64::decode(jwk.priv_.as_deref().unwrap(), "priv")
                .unwrap()
                .len(),
            32,
            "priv is the seed"
        );
        assert_eq!(
            saifu_crypto::b64::decode(jwk.pub_.as_deref().unwrap(), "pub")
                .unwrap()
                .len(),
            pk_len
        );
        assert!(jwk.d.is_none());
        let public = key.public_key().to_jwk();
        assert!(public.priv_.is_none());
        // Thumbprint over alg, kty, pub only.
        let input = public.thumbprint_input().unwrap();
        assert!(input.starts_with(&format!(r#"{{"alg":"{alg}","kty":"AKP","pub":""#)));
        let text = serde_json::to_string(&jwk).unwrap();
        let back = PrivateKey::from_jwk(&Jwk::from_json(&text).unwrap()).unwrap();
        assert_eq!(back.public_key(), key.public_key());
    }
}

#[test]
fn signature_sizes_match_fips204() {
    for (kt, len) in [(KeyType::MlDsa44, 2420), (KeyType::MlDsa65, 3309)] {
        let key = PrivateKey::generate(kt).unwrap();
        let sig = key.sign(kt.default_algorithm().unwrap(), b"m").unwrap();
        assert_eq!(sig.len(), len);
    }
}

macro_rules! differential {
    ($name:ident, $module:ident, $kt:expr, $alg:expr) => {
        #[test]
        fn $name() {
            for i in 0..8u8 {
                let seed = [i.wrapping_mul(37).wrapping_add(1); 32];
                let ours = PrivateKey::from_secret_bytes($kt, &seed).unwrap();
                let (their_pk, their_sk) = fips204::$module::KG::keygen_from_seed(&seed);
                // Same seed, same public key (FIPS 204 ML-DSA.KeyGen_internal is deterministic).
                assert_eq!(
                    ours.public_key().to_bytes(),
                    their_pk.clone().into_bytes().to_vec()
                );
                let msg = format!("differential message {i}");
                // Theirs verifies ours.
                let sig = ours.sign($alg, msg.as_bytes()).unwrap();
                let arr = sig.clone().try_into().unwrap();
                assert!(their_pk.verify(msg.as_bytes(), &arr, &[]));
                // Ours verifies theirs.
                let theirs = their_sk.try_sign(msg.as_bytes(), &[]).unwrap();
                let pk = PublicKey::from_bytes($kt, &their_pk.into_bytes()).unwrap();
                pk.verify($alg, msg.as_bytes(), &theirs).unwrap();
                // And both reject a different message.
                assert!(pk.verify($alg, b"other", &theirs).is_err());
                assert!(
                    !fips204::$module::PublicKey::try_from_bytes(pk.to_bytes().try_into().unwrap())
                        .unwrap()
                        .verify(b"other", &arr, &[])
                );
            }
        }
    };
}

differential!(
    ml_dsa_44_differential_with_fips204,
    ml_dsa_44,
    KeyType::MlDsa44,
    Algorithm::MlDsa44
);
differential!(
    ml_dsa_65_differential_with_fips204,
    ml_dsa_65,
    KeyType::MlDsa65,
    Algorithm::MlDsa65
);
