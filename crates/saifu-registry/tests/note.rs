//! Signed notes and checkpoints: our notes verified by the `signed_note` crate, the ML-DSA-44
//! line beside the Ed25519 one, and every parse rejection.

mod common;

use common::{ORIGIN, key, signed, tree};
use saifu_registry::checkpoint::{Checkpoint, CheckpointError};
use saifu_registry::note::{
    MAX_SIGNATURES, Note, NoteError, NoteKeyKind, NoteSignature, NoteVerifier,
};

#[tokio::test]
async fn notes_verify_with_the_signed_note_crate_and_our_verifier() {
    let ed = key("registry.example/log", NoteKeyKind::Ed25519);
    let pq = key("registry.example/log-pq", NoteKeyKind::MlDsa44);
    let note = signed(&tree(10), &[ed.clone(), pq.clone()]).await;
    let bytes = note.to_bytes();

    let reference = signed_note::Note::from_bytes(&bytes).unwrap();
    let verifier = signed_note::StandardVerifier::new(&ed.verifier().vkey()).unwrap();
    let known = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    let (verified, unverified) = reference.verify(&known).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].name(), "registry.example/log");
    // The ML-DSA-44 line is an unknown key type to standard verifiers, and is ignored.
    assert_eq!(unverified.len(), 1);
    assert_eq!(unverified[0].id(), pq.verifier().key_id());
    assert_eq!(reference.text(), note.text().as_bytes());

    let parsed = Note::parse(&bytes).unwrap();
    assert_eq!(parsed, note);
    let keys = [ed.verifier().clone(), pq.verifier().clone()];
    assert_eq!(parsed.verify(&keys).unwrap().len(), 2);
    let checkpoint = Checkpoint::parse(parsed.text()).unwrap();
    assert_eq!(checkpoint.origin, ORIGIN);
    assert_eq!(checkpoint.size, 10);
}

#[tokio::test]
async fn a_bad_signature_by_a_known_key_rejects_the_note() {
    let ed = key("log", NoteKeyKind::Ed25519);
    let pq = key("log-pq", NoteKeyKind::MlDsa44);
    let mut note = signed(&tree(3), &[ed.clone(), pq.clone()]).await;
    let mut forged = note.signatures()[1].clone();
    forged.signature[10] ^= 1;
    note.add_signature(forged);
    let keys = [ed.verifier().clone(), pq.verifier().clone()];
    assert_eq!(
        note.verify(&keys),
        Err(NoteError::InvalidSignature("log-pq".to_owned()))
    );
    let stranger = key("log", NoteKeyKind::Ed25519);
    assert_eq!(
        note.verify(&[stranger.verifier().clone()]),
        Err(NoteError::Untrusted)
    );
}

#[test]
fn hostile_notes_are_refused_with_typed_errors() {
    let sig = NoteSignature {
        name: "k".to_owned(),
        key_id: 1,
        signature: vec![0; 64],
    }
    .line();
    let cases: Vec<(Vec<u8>, NoteError)> = vec![
        (vec![b'a'; 200_000], NoteError::TooLarge),
        (b"text\n\n\xff\n".to_vec(), NoteError::InvalidText),
        (
            format!("te\x07xt\n\n{sig}\n").into_bytes(),
            NoteError::InvalidText,
        ),
        (
            format!("text\n{sig}\n").into_bytes(),
            NoteError::MissingSeparator,
        ),
        (
            format!("text\n\n{sig}").into_bytes(),
            NoteError::MalformedSignature,
        ),
        (
            b"text\n\n- k AAAA\n".to_vec(),
            NoteError::MalformedSignature,
        ),
        (
            "text\n\n— k AAA\n".as_bytes().to_vec(),
            NoteError::MalformedSignature,
        ),
        (
            "text\n\n— k+1 AAAAAA==\n".as_bytes().to_vec(),
            NoteError::InvalidKeyName,
        ),
        (
            "text\n\n— k !!!!\n".as_bytes().to_vec(),
            NoteError::MalformedSignature,
        ),
        (
            format!("text\n\n{}", format!("{sig}\n").repeat(MAX_SIGNATURES + 1)).into_bytes(),
            NoteError::TooManySignatures,
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(Note::parse(&bytes), Err(expected));
    }
    assert_eq!(Note::new("no newline"), Err(NoteError::MissingSeparator));
}

#[test]
fn malformed_checkpoints_are_refused() {
    let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let cases = [
        ("o\n1\n", CheckpointError::Truncated),
        (&*format!("o\n1\n{root}"), CheckpointError::Truncated),
        (&*format!("\n1\n{root}\n"), CheckpointError::EmptyOrigin),
        (&*format!("o\n01\n{root}\n"), CheckpointError::BadSize),
        (&*format!("o\n-1\n{root}\n"), CheckpointError::BadSize),
        (
            &*format!("o\n99999999999999999999\n{root}\n"),
            CheckpointError::BadSize,
        ),
        ("o\n1\nAAAA\n", CheckpointError::BadRoot),
        (&*format!("o\n1\n{root}\n\n"), CheckpointError::BadExtension),
    ];
    for (text, expected) in cases {
        assert_eq!(Checkpoint::parse(text), Err(expected), "{text:?}");
    }
    let ok = Checkpoint::parse(&format!("o\n0\n{root}\next\n")).unwrap();
    assert_eq!(ok.extensions, vec!["ext".to_owned()]);
    assert_eq!(ok.to_text(), format!("o\n0\n{root}\next\n"));
}

#[test]
fn keys_of_the_wrong_type_are_refused() {
    let p256 = saifu_crypto::PrivateKey::generate(saifu_crypto::KeyType::P256).unwrap();
    let ed = key("log", NoteKeyKind::Ed25519);
    assert_eq!(
        saifu_registry::note::NoteVerifier::new(
            "log",
            NoteKeyKind::MlDsa44,
            ed.verifier().public_key().clone()
        ),
        Err(NoteError::KeyMismatch(
            saifu_crypto::KeyType::Ed25519,
            NoteKeyKind::MlDsa44
        ))
    );
    let signer = saifu_crypto::LocalSigner::new(p256).unwrap();
    assert_eq!(
        saifu_registry::note::NoteSigner::new(
            "log",
            NoteKeyKind::Ed25519,
            std::sync::Arc::new(signer)
        )
        .unwrap_err(),
        NoteError::KeyMismatch(saifu_crypto::KeyType::P256, NoteKeyKind::Ed25519)
    );
    assert_eq!(
        saifu_registry::note::NoteVerifier::new(
            "bad name",
            NoteKeyKind::Ed25519,
            ed.verifier().public_key().clone()
        ),
        Err(NoteError::InvalidKeyName)
    );
}

#[test]
fn verifier_keys_parse_back_and_a_wrong_id_is_refused() {
    for kind in [
        NoteKeyKind::Ed25519,
        NoteKeyKind::Cosignature,
        NoteKeyKind::MlDsa44,
    ] {
        let signer = key("registry.example/log", kind);
        let vkey = signer.verifier().vkey();
        assert_eq!(&NoteVerifier::from_vkey(&vkey).unwrap(), signer.verifier());
        let (name, rest) = vkey.split_once('+').unwrap();
        let forged = format!("{name}+00000000+{}", rest.split_once('+').unwrap().1);
        assert!(matches!(
            NoteVerifier::from_vkey(&forged),
            Err(NoteError::MalformedVerifierKey(_))
        ));
    }
    assert!(matches!(
        NoteVerifier::from_vkey("no-plus-signs"),
        Err(NoteError::MalformedVerifierKey(_))
    ));
}
