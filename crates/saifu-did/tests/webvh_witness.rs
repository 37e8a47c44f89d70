//! did:webvh 1.0 "DID Witnesses": a log whose entries need 2 of 3 witness approvals verifies
//! only with enough valid approvals in `did-witness.json`. Approvals by keys that are not listed
//! witnesses, a second approval by the same witness, forged proofs and proofs over another
//! version do not count; an approval of a later entry also approves the earlier ones; and
//! switching witnessing off still needs the approval of the witnesses in force.

use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::webvh::entry::Witness;
use saifu_did::webvh::{Parameters, WebvhError, WitnessConfig, build, proof, verify_log};
use serde_json::{Value, json};

const TIME: &str = "2026-01-01T00:00:00Z";
/// Later entries' `versionTime`s (each must follow the previous one).
const LATER: [&str; 2] = ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"];
/// Verification time: after every `versionTime` and proof `created` above.
const NOW: i64 = 1_790_000_000;

fn key() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap()
}

fn did_key(signer: &LocalSigner) -> String {
    format!("did:key:{}", signer.public_key().to_multikey())
}

/// A witness's approval of `version_id`: its eddsa-jcs-2022 proof over `{"versionId": …}`.
async fn approval(witness: &LocalSigner, version_id: &str) -> Value {
    proof::sign(&json!({ "versionId": version_id }), witness, TIME)
        .await
        .unwrap()
}

/// A `did-witness.json` with one record per `(versionId, proofs)`.
fn witness_file(records: &[(&str, Vec<Value>)]) -> Value {
    records
        .iter()
        .map(|(version_id, proofs)| json!({ "versionId": version_id, "proof": proofs }))
        .collect()
}

/// The approvals counted for the entry that lacks them, or `None` when the log verifies.
fn shortfall(log: &str, file: Option<&Value>) -> Option<(String, usize)> {
    match verify_log(None, log, file, NOW) {
        Ok(_) => None,
        Err(WebvhError::NotWitnessed {
            version_id,
            approvals,
            threshold,
        }) => {
            assert_eq!(threshold, 2);
            Some((version_id, approvals))
        }
        Err(other) => panic!("expected a witness shortfall, got {other}"),
    }
}

#[tokio::test]
async fn entries_need_a_threshold_of_distinct_listed_witnesses() {
    let controller = key();
    let witnesses = [key(), key(), key()];
    let outsider = key();
    let parameters = Parameters {
        update_keys: Some(vec![controller.public_key().to_multikey()]),
        witness: Some(WitnessConfig {
            threshold: Some(2),
            witnesses: Some(
                witnesses
                    .iter()
                    .map(|w| Witness { id: did_key(w) })
                    .collect(),
            ),
        }),
        ..Parameters::default()
    };
    let state = build::document(
        "did:webvh:{SCID}:example.com",
        std::slice::from_ref(controller.public_key()),
    );
    let first = build::create(state, &parameters, TIME, &controller)
        .await
        .unwrap();
    let v1 = first["versionId"].as_str().unwrap().to_owned();
    let log = format!("{first}\n");

    // No witness file, then one approval: refused, with what was counted.
    assert_eq!(shortfall(&log, None), Some((v1.clone(), 0)));
    let one = witness_file(&[(&v1, vec![approval(&witnesses[0], &v1).await])]);
    assert_eq!(shortfall(&log, Some(&one)), Some((v1.clone(), 1)));

    // What does not count: the same witness again, a key that is not a listed witness, a
    // forged proof by a listed witness, and a proof over another version.
    let mut forged = approval(&witnesses[1], &v1).await;
    let value = forged["proofValue"].as_str().unwrap().to_owned();
    let flipped = if value.ends_with('A') { 'B' } else { 'A' };
    forged["proofValue"] = format!("{}{flipped}", &value[..value.len() - 1]).into();
    let padded = witness_file(&[
        (
            &v1,
            vec![
                approval(&witnesses[0], &v1).await,
                approval(&witnesses[0], &v1).await,
                approval(&outsider, &v1).await,
                forged,
                approval(&witnesses[2], "1-QmSomeOtherVersion").await,
            ],
        ),
        (
            "1-QmSomeOtherVersion",
            vec![approval(&witnesses[1], "1-QmSomeOtherVersion").await],
        ),
    ]);
    assert_eq!(shortfall(&log, Some(&padded)), Some((v1.clone(), 1)));

    // Two distinct listed witnesses: the log verifies.
    let two = witness_file(&[(
        &v1,
        vec![
            approval(&witnesses[0], &v1).await,
            approval(&witnesses[2], &v1).await,
        ],
    )]);
    let verified = verify_log(None, &log, Some(&two), NOW).unwrap();

    // A second entry, approved by two witnesses: their approvals of it cover the first too.
    let second = build::update(
        &verified,
        verified.latest().state.clone(),
        &Parameters::default(),
        LATER[0],
        &controller,
    )
    .await
    .unwrap();
    let v2 = second["versionId"].as_str().unwrap().to_owned();
    let log = format!("{log}{second}\n");
    assert_eq!(shortfall(&log, Some(&two)), Some((v2.clone(), 0)));
    let later = witness_file(&[(
        &v2,
        vec![
            approval(&witnesses[1], &v2).await,
            approval(&witnesses[2], &v2).await,
        ],
    )]);
    let verified = verify_log(None, &log, Some(&later), NOW).unwrap();

    // Switching witnessing off is itself an entry the witnesses in force must approve.
    let off = Parameters {
        witness: Some(WitnessConfig::default()),
        ..Parameters::default()
    };
    let third = build::update(
        &verified,
        verified.latest().state.clone(),
        &off,
        LATER[1],
        &controller,
    )
    .await
    .unwrap();
    let v3 = third["versionId"].as_str().unwrap().to_owned();
    let log = format!("{log}{third}\n");
    assert_eq!(shortfall(&log, Some(&later)), Some((v3.clone(), 0)));
    let approved = witness_file(&[(
        &v3,
        vec![
            approval(&witnesses[0], &v3).await,
            approval(&witnesses[1], &v3).await,
        ],
    )]);
    let verified = verify_log(None, &log, Some(&approved), NOW).unwrap();
    assert!(!verified.latest().parameters.witness.is_active());
}
