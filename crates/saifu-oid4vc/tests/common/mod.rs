//! The DCQL corpus (`tests/dcql_corpus/*.json`), shared by the corpus and interop tests.
//!
//! Each case is `{description, source, query, candidates, expected}`; `expected` always has
//! `valid`, and either `error` (the [`DcqlError`] variant) or `satisfied` and `matches` (per
//! credential query id, the ids of the candidates that answer it), plus optional details
//! checked by the corpus test only.

use std::path::PathBuf;

use saifu_oid4vc::dcql::{Candidate, DcqlError, DcqlQuery, Limits, MatchResult, evaluate};
use serde_json::Value;

/// One corpus case.
pub struct Case {
    /// The file stem.
    pub name: String,
    /// The whole case.
    pub body: Value,
}

impl Case {
    /// The candidates, as our engine reads them.
    pub fn candidates(&self) -> Vec<Candidate> {
        serde_json::from_value(self.body["candidates"].clone())
            .unwrap_or_else(|e| panic!("{}: bad candidates: {e}", self.name))
    }

    /// Parses the query and, when it is valid, matches the candidates.
    pub fn run(&self) -> Result<(DcqlQuery, MatchResult), DcqlError> {
        let query = DcqlQuery::from_json(&self.body["query"], &Limits::default())?;
        let result = evaluate(&query, &self.candidates());
        Ok((query, result))
    }
}

/// Every case, sorted by name.
pub fn corpus() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/dcql_corpus");
    let mut cases: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| Case {
            name: path.file_stem().unwrap().to_string_lossy().into_owned(),
            body: serde_json::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 30, "the DCQL corpus is missing cases");
    cases
}
