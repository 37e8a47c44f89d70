//! The shape of a DCQL `vp_token` (OpenID4VP 1.0 §8.1).

use serde_json::Value;

use super::credential_sets;
use super::error::VpTokenError;
use super::model::DcqlQuery;

/// Checks that `vp_token` is an object keyed by ids of `query`'s credential queries, each value
/// a non-empty array with exactly one presentation unless the query sets `multiple`, and that
/// the entries present answer the query (every required credential set, or every credential
/// query when there are no sets). The presentations themselves are not verified here.
pub fn validate_vp_token_shape(query: &DcqlQuery, vp_token: &Value) -> Result<(), VpTokenError> {
    let entries = vp_token.as_object().ok_or(VpTokenError::NotAnObject)?;
    for (id, presentations) in entries {
        let credential = query
            .credential(id)
            .ok_or_else(|| VpTokenError::UnknownQuery(id.clone()))?;
        let presentations = presentations
            .as_array()
            .ok_or_else(|| VpTokenError::NotAnArray(id.clone()))?;
        match presentations.len() {
            0 => return Err(VpTokenError::Empty(id.clone())),
            1 => {}
            count if !credential.multiple => {
                return Err(VpTokenError::MultipleNotAllowed {
                    id: id.clone(),
                    count,
                });
            }
            _ => {}
        }
    }
    let (satisfied, _) = credential_sets::evaluate(query, |id| entries.contains_key(id));
    if satisfied {
        Ok(())
    } else {
        Err(VpTokenError::Unsatisfied)
    }
}
