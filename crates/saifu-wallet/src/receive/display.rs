//! Card display from the issuer's metadata (OpenID4VCI 1.0 App. B.2 `credential_metadata`):
//! name, colours, description and the labels of the claims.

use saifu_oid4vc::vci::metadata::{CredentialConfiguration, CredentialIssuerMetadata, Display};
use serde_json::{Map, Value};

use crate::model::CardDisplay;

/// The configuration's display name, or its id.
pub fn configuration_name(configuration: &CredentialConfiguration, id: &str) -> String {
    first_display(configuration)
        .and_then(|d| d.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// The issuer's display name, if any.
pub fn issuer_name(metadata: &CredentialIssuerMetadata) -> Option<String> {
    metadata.display.as_ref()?.first()?.name.clone()
}

/// The card of a credential of `configuration` (`id`) from `metadata`.
pub fn card(metadata: &CredentialIssuerMetadata, id: &str) -> CardDisplay {
    let Some(configuration) = metadata.credential_configurations_supported.get(id) else {
        return CardDisplay {
            name: id.to_owned(),
            issuer_name: issuer_name(metadata),
            ..CardDisplay::default()
        };
    };
    let display = first_display(configuration);
    let member = |name: &str| {
        display
            .and_then(|d| d.other.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut claim_labels = Map::new();
    let described = configuration
        .credential_metadata
        .as_ref()
        .and_then(|m| m.claims.as_ref());
    for claim in described.into_iter().flatten() {
        let label = claim
            .display
            .as_ref()
            .and_then(|d| d.first())
            .and_then(|d| d.name.clone());
        if let (Some(label), Some(pointer)) = (label, pointer(&claim.path)) {
            claim_labels.insert(pointer, Value::String(label));
        }
    }
    CardDisplay {
        name: configuration_name(configuration, id),
        issuer_name: issuer_name(metadata),
        description: member("description"),
        background_color: member("background_color"),
        text_color: member("text_color"),
        claim_labels,
    }
}

/// A claims path of names only as a JSON pointer (`["address", "locality"]` → `/address/locality`).
fn pointer(path: &[Value]) -> Option<String> {
    path.iter()
        .map(|segment| segment.as_str().map(|name| format!("/{name}")))
        .collect()
}

fn first_display(configuration: &CredentialConfiguration) -> Option<&Display> {
    configuration
        .credential_metadata
        .as_ref()?
        .display
        .as_ref()?
        .first()
}
