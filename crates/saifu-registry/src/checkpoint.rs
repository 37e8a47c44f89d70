//! C2SP tlog-checkpoint: the note body naming a log (origin), its size and its RFC 9162 root.
//!
//! ```text
//! <origin>\n<decimal size, no leading zeros>\n<standard base64 root>\n[extension lines]
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::tree::Hash;

/// Most extension lines accepted (tlog-checkpoint discourages them; we never emit any).
const MAX_EXTENSIONS: usize = 16;

/// Why a checkpoint body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Fewer than three lines, or not ending in a newline.
    #[error("checkpoint is missing lines")]
    Truncated,
    /// The origin line is empty.
    #[error("empty origin")]
    EmptyOrigin,
    /// The size is not a decimal without leading zeros.
    #[error("malformed tree size")]
    BadSize,
    /// The root is not standard base64 of 32 bytes.
    #[error("malformed root hash")]
    BadRoot,
    /// An empty extension line, or too many of them.
    #[error("malformed extension lines")]
    BadExtension,
}

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, e.g. `registry.example/log`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 9162 tree head.
    pub root: Hash,
    /// Optional extension lines (without newlines).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a note text (already size-bounded by the note parser).
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Truncated)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::Truncated);
        };
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let canonical = size == "0" || !size.starts_with('0');
        if !canonical || size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CheckpointError::BadSize);
        }
        let size = size.parse().map_err(|_| CheckpointError::BadSize)?;
        let root: Hash = B64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::BadRoot)?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.len() > MAX_EXTENSIONS || extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::BadExtension);
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}
