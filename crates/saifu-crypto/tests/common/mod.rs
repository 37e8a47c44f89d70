//! Helpers shared by the integration tests: locating the third-party vectors.

use std::path::PathBuf;

/// The third-party vectors folder: `$SAIFU_VECTORS_DIR`, or `shared/vectors` beside the repository.
/// Panics with instructions when it is missing, so a misconfigured run can't pass silently.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        });
    assert!(
        dir.is_dir(),
        "test vectors not found at {}: set SAIFU_VECTORS_DIR to the shared/vectors folder",
        dir.display()
    );
    dir
}

/// Reads and parses a JSON vector file relative to the vectors folder.
pub fn vector_json(relative: &str) -> serde_json::Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}
