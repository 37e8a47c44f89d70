//! Locates the shared third-party test vectors for the W3C tests (`SAIFU_VECTORS_DIR`, default
//! `<CARGO_MANIFEST_DIR>/../../../shared/vectors`) and reads their files.

use std::path::PathBuf;

use serde_json::Value;

/// The vectors root; panics with instructions when it is missing, so a misconfigured run fails
/// loudly instead of silently testing nothing.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        });
    assert!(
        dir.is_dir(),
        "test vectors not found at {}: set SAIFU_VECTORS_DIR to the shared/vectors directory",
        dir.display()
    );
    dir
}

/// One vector file as text, `relative` to the vectors root.
pub fn read_text(relative: &str) -> String {
    let path = vectors_dir().join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vector file {}: {e}", path.display()))
}

/// One vector file as JSON.
pub fn read_json(relative: &str) -> Value {
    serde_json::from_str(&read_text(relative))
        .unwrap_or_else(|e| panic!("{relative} is not JSON: {e}"))
}
