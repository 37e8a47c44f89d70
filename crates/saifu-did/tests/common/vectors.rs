//! Locates the shared third-party vectors (`SAIFU_VECTORS_DIR`, default `../shared/vectors`
//! beside the repository) and loads JSON files from them.

use std::path::PathBuf;

use serde_json::Value;

/// The vectors directory; panics with instructions when it is missing.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
        PathBuf::from,
    );
    assert!(
        dir.join("did").is_dir(),
        "test vectors not found at {}: set SAIFU_VECTORS_DIR to the shared/vectors directory",
        dir.display()
    );
    dir
}

/// Parses `<vectors>/<relative>` as JSON.
pub fn load_json(relative: &str) -> Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vector file {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("vector file {} is not JSON: {e}", path.display()))
}
