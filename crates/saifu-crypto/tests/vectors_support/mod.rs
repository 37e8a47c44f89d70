//! Locates the shared third-party test vectors (`SAIFU_VECTORS_DIR`, default
//! `<CARGO_MANIFEST_DIR>/../../../shared/vectors`) and reads their JSON files.

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

/// Parses one vector file, `relative` to the vectors root.
pub fn read_json(relative: &str) -> Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vector file {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The JSON files of a vector folder, sorted, so every case in it is exercised.
pub fn json_files(relative_dir: &str) -> Vec<String> {
    let dir = vectors_dir().join(relative_dir);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("{relative_dir}/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    files
}
