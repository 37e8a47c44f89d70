//! The roles' settings in the config file (`[issuer]`, `[verifier]`), with defaults that give a
//! newcomer a working issuer and verifier without writing any configuration: the built-in
//! credential types are the ones of the Japanese digital-ID plans (a national PID, a university
//! diploma, an employment credential).

use saifu_issuer::{ClaimConfig, CredentialConfig, STATUS_LIST_ENTRIES, W3cDefinition, W3cFormat};
use serde::Deserialize;

/// `[issuer]`: whether the node issues, as whom, and which credential types.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IssuerSettings {
    /// Serve the issuer role.
    pub enabled: bool,
    /// The issuer's display name, shown by wallets.
    pub name: String,
    /// How long offers (pre-authorized codes) stay valid, in seconds.
    pub offer_ttl_seconds: i64,
    /// Wrong `tx_code` attempts allowed per offer.
    pub tx_code_attempts: i64,
    /// Most credentials (proofs) in one Credential Request.
    pub batch_size: u32,
    /// Entries in each status list: when one is full the issuer opens the next
    /// (`/status/2`, …). Larger lists hide a credential among more others; lists already
    /// opened keep their size.
    pub status_list_size: u64,
    /// The credential types; the built-in ones when the file names none.
    pub credentials: Vec<CredentialSettings>,
}

impl Default for IssuerSettings {
    fn default() -> Self {
        IssuerSettings {
            enabled: true,
            name: "saifu issuer".into(),
            offer_ttl_seconds: 7 * 24 * 3600,
            tx_code_attempts: 5,
            batch_size: 10,
            status_list_size: STATUS_LIST_ENTRIES,
            credentials: builtin_credentials(),
        }
    }
}

/// One `[[issuer.credentials]]` entry: an SD-JWT VC type, or a W3C one (`format`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSettings {
    /// Configuration id (`credential_configuration_id`).
    pub id: String,
    /// The SD-JWT VC type (`vct`); for a W3C format the name trust lists use, by default the
    /// last of `types`.
    #[serde(default)]
    pub vct: String,
    /// The credential format.
    #[serde(default)]
    pub format: CredentialFormat,
    /// W3C formats: the `type` values after `VerifiableCredential`.
    #[serde(default)]
    pub types: Vec<String>,
    /// W3C formats: `@context` entries after the format's base context.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// Display name.
    pub name: String,
    /// OAuth scope; the id when absent.
    #[serde(default)]
    pub scope: Option<String>,
    /// Validity of an issued credential, in days.
    #[serde(default = "default_validity_days")]
    pub validity_days: i64,
    /// Whether credentials are bound to a holder key.
    #[serde(default = "yes")]
    pub holder_binding: bool,
    /// The claims, in display order.
    pub claims: Vec<ClaimSettings>,
}

/// The format of a credential type (OpenID4VCI 1.0 Appendix A).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum CredentialFormat {
    /// IETF SD-JWT VC.
    #[default]
    #[serde(rename = "dc+sd-jwt")]
    SdJwtVc,
    /// A W3C credential as a VCDM 1.1 JWT.
    #[serde(rename = "jwt_vc_json")]
    JwtVcJson,
    /// A W3C credential with a Data Integrity proof.
    #[serde(rename = "ldp_vc")]
    LdpVc,
}

/// One claim of a credential type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSettings {
    /// Claim name.
    pub name: String,
    /// Display name.
    pub display: String,
    /// Selectively disclosable (the default: disclose only what is asked).
    #[serde(default = "yes")]
    pub sd: bool,
}

/// `[verifier]`: whether the node verifies, and whose credentials it trusts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerifierSettings {
    /// Serve the verifier role.
    pub enabled: bool,
    /// How long a presentation request stays open, in seconds.
    pub session_ttl_seconds: i64,
    /// How long a fetched W3C Bitstring Status List is trusted before it is fetched again, in
    /// seconds: a revocation is seen by this verifier within this time. `0` fetches the list
    /// for every presentation.
    pub w3c_status_cache_seconds: i64,
    /// Trust this node's own issuer for all its credential types.
    pub trust_own_issuer: bool,
    /// Other issuers whose credentials this verifier accepts (`[[verifier.trusted_issuers]]`).
    pub trusted_issuers: Vec<TrustedIssuerSettings>,
    /// Also accept issuers an authority authorizes in this node's trust registry
    /// (`trust_registry = { authority = "did:…", min_assurance = "substantial" }`).
    pub trust_registry: Option<TrustRegistrySettings>,
}

/// The verifier's trust registry switch: whose statements count, from which level up.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRegistrySettings {
    /// The authority (a DID) whose authorizations the verifier relies on.
    pub authority: String,
    /// The lowest assurance level accepted: `low`, `substantial` or `high`.
    #[serde(default = "default_min_assurance")]
    pub min_assurance: String,
}

fn default_min_assurance() -> String {
    "substantial".into()
}

/// `[registry]`: whether the node runs the verifiable data registry's transparency log, and
/// the witnesses that cosign its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrySettings {
    /// Serve the registry (checkpoint, tiles, appends under `/registry/`).
    pub enabled: bool,
    /// Witnesses asked to cosign every new checkpoint
    /// (`witnesses = [{ url = "https://w.example/add-checkpoint", vkey = "name+id+key" }]`).
    pub witnesses: Vec<WitnessSettings>,
    /// How many cosignatures a checkpoint needs before it replaces a served one that has
    /// them; every configured witness when absent.
    pub quorum: Option<usize>,
    /// How long to wait for each witness, in milliseconds.
    pub witness_timeout_ms: u64,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        RegistrySettings {
            enabled: true,
            witnesses: Vec::new(),
            quorum: None,
            witness_timeout_ms: 5_000,
        }
    }
}

/// `[vc_api]`: the W3C CCG VC-API routes (`/credentials/issue`, `/credentials/verify`,
/// `/presentations/verify`) and the Bitstring Status Lists of the credentials they issue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VcApiSettings {
    /// Serve the VC-API routes.
    pub enabled: bool,
    /// The cryptosuite used when a request names none: `eddsa-rdfc-2022`, `eddsa-jcs-2022` or
    /// `ecdsa-rdfc-2019`.
    pub cryptosuite: String,
    /// Give every issued credential revocation and suspension entries in the node's status lists.
    pub status: bool,
    /// Let anyone call `/credentials/issue` (for the W3C conformance suites); otherwise issuing
    /// needs the admin token, because the node's did:key signs whatever is asked.
    pub open_issuance: bool,
    /// How long the verifier keeps a fetched status list, in seconds.
    pub status_cache_seconds: i64,
}

impl Default for VcApiSettings {
    fn default() -> Self {
        VcApiSettings {
            enabled: true,
            cryptosuite: "eddsa-rdfc-2022".into(),
            status: true,
            open_issuance: false,
            status_cache_seconds: 300,
        }
    }
}

/// `[wallet]`: whether the node offers the web wallet (holders' encrypted wallet files under
/// `data_dir/wallets/`). A node run only as an issuer, verifier or registry turns it off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WalletSettings {
    /// Serve the web wallet at `/wallet`.
    pub enabled: bool,
}

impl Default for WalletSettings {
    fn default() -> Self {
        WalletSettings { enabled: true }
    }
}

/// `[witness]`: the node also acts as a tlog-witness (C2SP) for other operators' logs at
/// `POST /witness/add-checkpoint`, as `saifu witness serve` does on its own. Off by default: a
/// witness is worth most when someone other than the log's operator runs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WitnessRoleSettings {
    /// Serve the witness routes.
    pub enabled: bool,
    /// The witness's name in its cosignatures (its verifier key's name).
    pub name: String,
    /// The signed-note verifier keys of the logs it witnesses (as `/registry/log-keys` lists
    /// them); checkpoints of any other log are refused.
    pub logs: Vec<String>,
}

impl Default for WitnessRoleSettings {
    fn default() -> Self {
        WitnessRoleSettings {
            enabled: false,
            name: "saifu-witness".into(),
            logs: Vec::new(),
        }
    }
}

/// One witness of the registry's log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessSettings {
    /// Its tlog-witness `add-checkpoint` URL.
    pub url: String,
    /// Its cosignature/v1 verifier key (`name+hex id+base64 key`, as `saifu witness serve`
    /// prints it).
    pub vkey: String,
}

/// One trusted issuer: who, and for which credential types.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuerSettings {
    /// The issuer's `iss`: a DID (keys from its DID document) or an https URL (keys from its
    /// JWT VC Issuer Metadata, unless `jwk` pins one).
    pub issuer: String,
    /// The credential types (`vct`) it is trusted for; every type when absent.
    #[serde(default)]
    pub vct: Option<Vec<String>>,
    /// A public JWK (JSON text) its credentials and status lists must be signed with.
    #[serde(default)]
    pub jwk: Option<String>,
}

impl Default for VerifierSettings {
    fn default() -> Self {
        VerifierSettings {
            enabled: true,
            session_ttl_seconds: 600,
            w3c_status_cache_seconds: saifu_oid4vc::w3c::status::DEFAULT_MAX_AGE,
            trust_own_issuer: true,
            trusted_issuers: Vec::new(),
            trust_registry: None,
        }
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

impl CredentialSettings {
    /// The issuer's view of this credential type.
    pub fn to_config(&self) -> CredentialConfig {
        let w3c = match self.format {
            CredentialFormat::SdJwtVc => None,
            CredentialFormat::JwtVcJson => Some(W3cFormat::JwtVcJson),
            CredentialFormat::LdpVc => Some(W3cFormat::LdpVc),
        }
        .map(|format| W3cDefinition {
            format,
            types: self.types.clone(),
            contexts: self.contexts.clone(),
        });
        let vct = match (&w3c, self.vct.is_empty()) {
            (Some(_), true) => self.types.last().cloned().unwrap_or_default(),
            _ => self.vct.clone(),
        };
        CredentialConfig {
            id: self.id.clone(),
            vct,
            scope: self.scope.clone().unwrap_or_else(|| self.id.clone()),
            display_name: self.name.clone(),
            claims: self
                .claims
                .iter()
                .map(|claim| ClaimConfig {
                    name: claim.name.clone(),
                    display_name: claim.display.clone(),
                    selectively_disclosable: claim.sd,
                })
                .collect(),
            validity: self.validity_days.saturating_mul(SECONDS_PER_DAY),
            holder_binding: self.holder_binding,
            w3c,
        }
    }
}

fn default_validity_days() -> i64 {
    365
}

fn yes() -> bool {
    true
}

fn claim(name: &str, display: &str) -> ClaimSettings {
    ClaimSettings {
        name: name.into(),
        display: display.into(),
        sd: true,
    }
}

fn credential(id: &str, vct: &str, name: &str, claims: Vec<ClaimSettings>) -> CredentialSettings {
    CredentialSettings {
        id: id.into(),
        vct: vct.into(),
        format: CredentialFormat::SdJwtVc,
        types: Vec::new(),
        contexts: Vec::new(),
        name: name.into(),
        scope: None,
        validity_days: default_validity_days(),
        holder_binding: true,
        claims,
    }
}

/// The credential types a node offers when its config names none.
fn builtin_credentials() -> Vec<CredentialSettings> {
    vec![
        credential(
            "pid",
            "urn:eudi:pid:1",
            "Personal ID",
            vec![
                claim("given_name", "Given name"),
                claim("family_name", "Family name"),
                claim("birthdate", "Date of birth"),
                claim("address", "Address"),
                claim("age_over_18", "Over 18"),
                claim("nationality", "Nationality"),
            ],
        ),
        credential(
            "diploma",
            "https://saifu.dev/vct/diploma",
            "University Diploma",
            vec![
                claim("given_name", "Given name"),
                claim("family_name", "Family name"),
                claim("university", "University"),
                claim("degree", "Degree"),
                claim("field_of_study", "Field of study"),
                claim("graduation_date", "Graduation date"),
            ],
        ),
        credential(
            "employee",
            "https://saifu.dev/vct/employee",
            "Employment",
            vec![
                claim("given_name", "Given name"),
                claim("family_name", "Family name"),
                claim("employer", "Employer"),
                claim("position", "Position"),
                claim("start_date", "Start date"),
            ],
        ),
    ]
}
