//! Shared helpers of the SD-JWT test binaries: locating the vectors, reading the
//! `specification.yml` / `settings.yml` files (YAML with the custom `!sd` tag), keys and clocks.
//! Each test binary uses a different subset, hence the module-level `dead_code` allowance.
#![allow(dead_code)]

pub mod yaml;

use std::path::{Path, PathBuf};

use saifu_credential::sd_jwt::{ClaimPath, Segment};
use saifu_crypto::{Jwk, LocalSigner, PrivateKey, PublicKey};
use serde_json::Value;

use yaml::{Kind, Node};

/// `$SAIFU_VECTORS_DIR`, or `shared/vectors` beside the repository; a missing directory fails
/// the test with instructions rather than skipping it.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"));
    assert!(
        dir.join("sd-jwt").is_dir(),
        "SD-JWT test vectors not found at {} — set SAIFU_VECTORS_DIR to the shared/vectors directory",
        dir.display()
    );
    dir
}

/// The case folders of one vector set, sorted.
pub fn cases(set: &str) -> Vec<PathBuf> {
    let dir = vectors_dir().join("sd-jwt").join(set);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("specification.yml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// Reads a file of a case as text.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a YAML file.
pub fn read_yaml(path: &Path) -> Node {
    yaml::parse(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The keys and identifiers of a vector set's `settings.yml` (with a case's `settings_override`).
pub struct Settings {
    /// Issuer signing keys (the spec set's general JSON case has two).
    pub issuer_keys: Vec<PrivateKey>,
    /// Holder key for `cnf` and the KB-JWT.
    pub holder_key: PrivateKey,
    /// `identifiers.issuer`.
    pub issuer: String,
    /// `identifiers.verifier`, the KB-JWT audience.
    pub verifier: String,
    /// `key_binding_nonce`.
    pub nonce: String,
    /// `iat`.
    pub iat: i64,
    /// `exp`.
    pub exp: i64,
}

fn private_key(node: &Node) -> PrivateKey {
    let mut jwk: Jwk = serde_json::from_value(node.to_json()).expect("JWK in settings");
    jwk.kid = None;
    PrivateKey::from_jwk(&jwk).expect("settings key")
}

impl Settings {
    /// Reads the set's settings, applying the case's `settings_override.key_settings`.
    pub fn for_case(case: &Path) -> Settings {
        let settings = read_yaml(&case.parent().expect("set dir").join("settings.yml"));
        let spec = read_yaml(&case.join("specification.yml"));
        let key_settings = spec
            .get("settings_override")
            .and_then(|o| o.get("key_settings"))
            .or_else(|| settings.get("key_settings"))
            .expect("key_settings");
        let issuer_keys = match (
            key_settings.get("issuer_key"),
            key_settings.get("issuer_keys"),
        ) {
            (Some(k), _) => vec![private_key(k)],
            (
                None,
                Some(Node {
                    kind: Kind::Seq(keys),
                    ..
                }),
            ) => keys.iter().map(private_key).collect(),
            _ => panic!("no issuer key in settings"),
        };
        let holder = settings
            .get("key_settings")
            .and_then(|k| k.get("holder_key"))
            .expect("holder_key");
        let text = |node: &Node, name: &str| node.get(name).expect(name).to_json();
        let ids = settings.get("identifiers").expect("identifiers");
        Settings {
            issuer_keys,
            holder_key: private_key(holder),
            issuer: text(ids, "issuer").as_str().expect("issuer").to_owned(),
            verifier: text(ids, "verifier").as_str().expect("verifier").to_owned(),
            nonce: text(&settings, "key_binding_nonce")
                .as_str()
                .expect("nonce")
                .to_owned(),
            iat: text(&settings, "iat").as_i64().expect("iat"),
            exp: text(&settings, "exp").as_i64().expect("exp"),
        }
    }

    /// The first issuer key's public half.
    pub fn issuer_public(&self) -> PublicKey {
        self.issuer_keys[0].public_key().clone()
    }

    /// A signer for the first issuer key.
    pub fn issuer_signer(&self) -> LocalSigner {
        LocalSigner::new(copy(&self.issuer_keys[0])).expect("issuer signer")
    }

    /// A signer for the holder key.
    pub fn holder_signer(&self) -> LocalSigner {
        LocalSigner::new(copy(&self.holder_key)).expect("holder signer")
    }
}

/// The paths of the nodes below `node` for which `pick` holds.
fn paths_where(node: &Node, pick: fn(&Node) -> bool) -> Vec<ClaimPath> {
    fn walk(
        node: &Node,
        pick: fn(&Node) -> bool,
        prefix: &mut Vec<Segment>,
        out: &mut Vec<ClaimPath>,
    ) {
        let children: Vec<(Segment, &Node)> = match &node.kind {
            Kind::Map(entries) => entries
                .iter()
                .map(|(k, v)| (Segment::Name(k.clone()), v))
                .collect(),
            Kind::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Segment::Index(i), v))
                .collect(),
            Kind::Scalar(_) => return,
        };
        for (segment, child) in children {
            prefix.push(segment);
            if pick(child) {
                out.push(ClaimPath::new(prefix.clone()));
            }
            walk(child, pick, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    walk(node, pick, &mut Vec::new(), &mut out);
    out
}

/// The claim paths a case's `holder_disclosed_claims` asks to reveal. The file mirrors the
/// claims: `true` (or a non-empty nested selection) reveals that claim or element.
pub fn holder_paths(selection: &Node) -> Vec<ClaimPath> {
    paths_where(selection, Node::is_truthy)
}

/// The claims of a `user_claims` node and the paths its `!sd` tags mark disclosable.
pub fn user_claims(node: &Node) -> (Value, Vec<ClaimPath>) {
    (node.to_json(), paths_where(node, |n| n.sd))
}

/// `./<case>/<name>` with the serialization chosen by the case (`.txt` compact or `.json`, which
/// holds the JWS JSON as a JSON string).
pub fn presentation_text(case: &Path) -> (String, bool) {
    let txt = case.join("sd_jwt_presentation.txt");
    if txt.is_file() {
        (read(&txt), false)
    } else {
        let outer = read_json(&case.join("sd_jwt_presentation.json"));
        (
            outer.as_str().expect("double-encoded JSON").to_owned(),
            true,
        )
    }
}

/// A second handle on a private key (`PrivateKey` is deliberately not `Clone`).
pub fn copy(key: &PrivateKey) -> PrivateKey {
    PrivateKey::from_jwk(&key.to_jwk()).expect("round trip")
}
