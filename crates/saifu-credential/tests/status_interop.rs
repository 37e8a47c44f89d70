//! Round trips with a peer implementation: the npm package `@sd-jwt/jwt-status-list` 0.19.0
//! (OpenWallet Foundation sd-jwt-js), driven through the scripts in `interop/status-list/`.
//!
//! It must read the lists and Status List Tokens we produce, and we must read the lists it
//! produces. The package is installed from the committed lockfile with
//! `npm ci --prefix interop`; without it these tests fail (they never skip silently).

use saifu_credential::status::token::{JWT_TYP, jwt};
use saifu_credential::status::{
    Bits, Limits, StatusList, StatusListToken, StatusValue, VerifyOptions,
};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, Signer};
use saifu_test_support::{expect_node, require_npm_package};
use serde_json::{Value, json};

const PEER: &str = "@sd-jwt/jwt-status-list";
const PEER_VERSION: &str = "0.19.0";
const URI: &str = "https://issuer.example/statuslists/42";
const NOW: i64 = 1_800_000_000;
const ALL_BITS: [Bits; 4] = [Bits::One, Bits::Two, Bits::Four, Bits::Eight];

/// Runs `interop/status-list/<script>` with `input` on stdin and returns its JSON answer.
fn peer(script: &str, input: &Value) -> Value {
    require_npm_package(PEER, Some(PEER_VERSION));
    expect_node(&format!("status-list/{script}"), input)
}

/// A deterministic mix of every value `bits` can hold.
fn mixed_list(bits: Bits, entries: u64) -> StatusList {
    let mut list = StatusList::new(bits, entries);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(bits.get());
    for i in 0..list.len() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let value = (state >> 56) as u8 & bits.max_value();
        list.set(i, StatusValue::from_raw(value)).unwrap();
    }
    list
}

fn raw_statuses(list: &StatusList) -> Vec<u8> {
    list.iter().map(u8::from).collect()
}

fn as_bytes(values: &Value) -> Vec<u8> {
    values
        .as_array()
        .expect("an array of statuses")
        .iter()
        .map(|v| u8::try_from(v.as_u64().expect("a status")).unwrap())
        .collect()
}

#[test]
fn peer_decodes_our_lists() {
    for bits in ALL_BITS {
        let list = mixed_list(bits, 1001);
        let answer = peer("decode.mjs", &list.to_json());
        assert_eq!(answer["bits"], bits.get(), "{bits} bits");
        assert_eq!(answer["size"], list.len(), "{bits} bits");
        assert_eq!(
            as_bytes(&answer["statuses"]),
            raw_statuses(&list),
            "{bits} bits"
        );
    }
}

#[test]
fn peer_decodes_a_large_sparse_list() {
    let mut list = StatusList::new(Bits::One, 1 << 20);
    let revoked = [
        0,
        1,
        7,
        8,
        1993,
        25_460,
        159_495,
        495_669,
        554_353,
        645_645,
        (1 << 20) - 1,
    ];
    for &i in &revoked {
        list.set(i, StatusValue::Invalid).unwrap();
    }
    let mut indices: Vec<u64> = revoked.to_vec();
    indices.extend([2, 6, 9, 1992, 1994, 500_000, (1 << 20) - 2]);
    let mut input = list.to_json();
    input["indices"] = json!(indices);
    let answer = peer("decode.mjs", &input);
    assert_eq!(answer["size"], 1 << 20);
    let expected: Vec<u8> = indices
        .iter()
        .map(|&i| list.get(i).unwrap().raw())
        .collect();
    assert_eq!(as_bytes(&answer["statuses"]), expected);
}

#[tokio::test]
async fn peer_reads_our_signed_status_list_token() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap();
    let list = mixed_list(Bits::Two, 400);
    let token = StatusListToken {
        exp: Some(NOW + 3600),
        ttl: Some(43_200),
        ..StatusListToken::new(URI, NOW, list.clone())
    };
    let compact = jwt::sign(&token, &signer).await.unwrap();
    let answer = peer("decode.mjs", &json!({ "jwt": compact }));
    assert_eq!(answer["bits"], 2);
    assert_eq!(as_bytes(&answer["statuses"]), raw_statuses(&list));
}

#[tokio::test]
async fn we_decode_peer_lists_and_accept_its_token_claims() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    for bits in ALL_BITS {
        // Not a multiple of statuses-per-byte: the peer pads the last byte with zeros.
        let statuses = raw_statuses(&mixed_list(bits, 64))[..61].to_vec();
        let answer = peer(
            "encode.mjs",
            &json!({"bits": bits.get(), "statuses": statuses,
                    "payload": {"sub": URI, "iat": NOW, "exp": NOW + 60, "ttl": 30}}),
        );
        let decoded = StatusList::from_json(&answer["payload"]["status_list"], &Limits::default())
            .expect("the peer's list decodes");
        assert_eq!(decoded.bits(), bits);
        let ours = raw_statuses(&decoded);
        assert_eq!(ours[..61], statuses[..], "{bits} bits");
        assert!(ours[61..].iter().all(|&s| s == 0), "{bits} bits: padding");

        // The peer's header and claims, signed by us, pass our verifier.
        let header = answer["header"].as_object().unwrap().clone();
        assert_eq!(header["typ"], JWT_TYP);
        let payload = serde_json::to_vec(&answer["payload"]).unwrap();
        let compact = saifu_crypto::jws::sign_compact(&header, &payload, &signer)
            .await
            .unwrap();
        let allowed = [Algorithm::Ed25519];
        let token = jwt::verify(
            &compact,
            signer.public_key(),
            &VerifyOptions::new(URI, NOW, &allowed),
        )
        .expect("the peer's claims are a valid Status List Token");
        assert_eq!((token.ttl, token.exp), (Some(30), Some(NOW + 60)));
        assert_eq!(token.status_list, decoded);
    }
}
