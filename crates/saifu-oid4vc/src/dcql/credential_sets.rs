//! Evaluating `credential_sets` (OpenID4VP 1.0 §6.2, §6.4.2).

use serde::Serialize;

use super::model::DcqlQuery;

/// The outcome of one entry of `credential_sets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialSetResult {
    /// Whether the use case needs this set.
    pub required: bool,
    /// Indexes of the options whose every credential query is answered, in the verifier's order
    /// of preference.
    pub satisfiable_options: Vec<usize>,
}

impl CredentialSetResult {
    /// The option to present: the first satisfiable one.
    pub fn preferred_option(&self) -> Option<usize> {
        self.satisfiable_options.first().copied()
    }
}

/// Whether the query is satisfied when `answered(id)` tells which credential queries are
/// answered, and the result per credential set. Without `credential_sets` every credential
/// query is required.
pub(crate) fn evaluate(
    query: &DcqlQuery,
    answered: impl Fn(&str) -> bool,
) -> (bool, Vec<CredentialSetResult>) {
    let Some(sets) = &query.credential_sets else {
        return (
            query
                .credentials
                .iter()
                .all(|credential| answered(&credential.id)),
            Vec::new(),
        );
    };
    let results: Vec<CredentialSetResult> = sets
        .iter()
        .map(|set| CredentialSetResult {
            required: set.required,
            satisfiable_options: set
                .options
                .iter()
                .enumerate()
                .filter(|(_, option)| option.iter().all(|id| answered(id)))
                .map(|(index, _)| index)
                .collect(),
        })
        .collect();
    let satisfied = results
        .iter()
        .all(|set| !set.required || set.preferred_option().is_some());
    (satisfied, results)
}
