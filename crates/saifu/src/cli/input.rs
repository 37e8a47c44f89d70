//! Reading a command's input: a file, or standard input for `-` (or when no path is given), so
//! every command composes in pipelines the same way.

use std::io::Read;
use std::path::Path;

use super::CliError;

/// Reads the whole input as bytes.
pub fn read_bytes(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match path {
        Some(p) if p.as_os_str() != "-" => std::fs::read(p).map_err(|source| CliError::Io {
            path: p.to_owned(),
            source,
        }),
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|source| CliError::Io {
                    path: "<stdin>".into(),
                    source,
                })?;
            Ok(buf)
        }
    }
}

/// Reads the whole input as UTF-8 text.
pub fn read_text(path: Option<&Path>) -> Result<String, CliError> {
    String::from_utf8(read_bytes(path)?).map_err(|_| CliError::NotUtf8)
}
