//! Builds the DCQL query (OpenID4VP 1.0 §6) equivalent to a read [`Definition`], and validates it
//! with the DCQL parser so that the result is exactly what a `dcql_query` would have been.

use serde_json::{Value, json};

use super::definition::{Definition, Descriptor, PeLimits};
use super::error::PeError;
use crate::dcql::{ClaimPath, DcqlQuery, Limits};

/// Translates a PE 2.0 `presentation_definition` into the DCQL query for SD-JWT VCs that asks
/// for the same credentials and claims, or says which construct has no DCQL equivalent.
///
/// Optional fields become `claim_sets` `[required + optional, required]`: DCQL §6.4.1 has the
/// wallet return the first claim set it can satisfy, so the optional claims are disclosed when
/// held and the request still succeeds without them, which is what PE `optional` means.
pub fn translate(definition: &Value, limits: &PeLimits) -> Result<DcqlQuery, PeError> {
    let definition = Definition::from_json(definition, limits)?;
    let credentials: Vec<Value> = definition.descriptors.iter().map(credential).collect();
    let mut query = json!({ "credentials": credentials });
    if let Some(requirements) = &definition.requirements {
        query["credential_sets"] = credential_sets(&definition, requirements)?;
    }
    Ok(DcqlQuery::from_json(&query, &Limits::default())?)
}

/// One credential query per input descriptor.
fn credential(descriptor: &Descriptor) -> Value {
    let mut query = json!({
        "id": descriptor.id,
        "format": "dc+sd-jwt",
        "meta": { "vct_values": descriptor.vct_values },
    });
    if descriptor.fields.is_empty() {
        return query;
    }
    let with_optional = descriptor.fields.iter().any(|f| f.optional);
    let claims: Vec<Value> = descriptor
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let mut claim = json!({ "path": ClaimPath(field.path.clone()) });
            if with_optional {
                claim["id"] = json!(format!("field{i}"));
            }
            if let Some(values) = &field.values {
                claim["values"] = json!(values);
            }
            claim
        })
        .collect();
    query["claims"] = json!(claims);
    if with_optional {
        let all: Vec<String> = (0..descriptor.fields.len())
            .map(|i| format!("field{i}"))
            .collect();
        let required: Vec<String> = descriptor
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.optional)
            .map(|(i, _)| format!("field{i}"))
            .collect();
        query["claim_sets"] = json!([all, required]);
    }
    query
}

/// `submission_requirements` as `credential_sets`: `all` of a group is one option holding the
/// group, `pick` 1 is one option per member; each set is required, as PE has no optional
/// requirement. Every descriptor must be drawn on by some requirement, since PE does not request
/// the others and DCQL cannot leave a credential query out of the request.
fn credential_sets(
    definition: &Definition,
    requirements: &[super::definition::Requirement],
) -> Result<Value, PeError> {
    let mut sets = Vec::new();
    for requirement in requirements {
        let members: Vec<&str> = definition
            .descriptors
            .iter()
            .filter(|d| d.groups.contains(&requirement.from))
            .map(|d| d.id.as_str())
            .collect();
        if members.is_empty() {
            return Err(PeError::UnknownGroup {
                at: format!("{}.from", requirement.at),
                group: requirement.from.clone(),
            });
        }
        let options: Vec<Vec<&str>> = if requirement.pick_one {
            members.iter().map(|id| vec![*id]).collect()
        } else {
            vec![members]
        };
        sets.push(json!({ "options": options, "required": true }));
    }
    if let Some((i, _)) = definition
        .descriptors
        .iter()
        .enumerate()
        .find(|(_, d)| !requirements.iter().any(|r| d.groups.contains(&r.from)))
    {
        return Err(PeError::Unsupported {
            at: format!("$.input_descriptors[{i}]"),
            construct: "input descriptor outside every submission requirement".into(),
        });
    }
    Ok(json!(sets))
}
