//! Subjects: the people and organisations an issuer knows (students, residents, employees),
//! with the claims their credentials carry and, optionally, a password for the built-in login
//! of the authorization code flow. Imported one by one or from a spreadsheet's CSV.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::now;
use crate::csv;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::store::{IssuerStore, SubjectRecord};

/// Longest subject id accepted: ids go into URLs and logs.
const MAX_ID_LEN: usize = 128;
/// Most subjects one CSV import may carry, so one request cannot occupy a node for long.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// What a CSV import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Subjects created or replaced.
    pub imported: usize,
    /// The ids, in file order.
    pub ids: Vec<String>,
}

fn check_id(id: &str) -> Result<(), IssuerError> {
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if valid {
        Ok(())
    } else {
        Err(IssuerError::InvalidInput(format!(
            "subject id `{id}` must be 1–{MAX_ID_LEN} characters of A–Z, a–z, 0–9, - _ . @"
        )))
    }
}

fn check_password(password: &str) -> Result<(), IssuerError> {
    if password.chars().count() < 8 {
        return Err(IssuerError::InvalidInput(
            "a subject password needs at least 8 characters".into(),
        ));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String, IssuerError> {
    check_password(password)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|hash| hash.to_string())
        .map_err(|e| IssuerError::InvalidInput(format!("cannot hash the password: {e}")))
}

/// A hash to verify against when the subject is unknown, so that a login for an unknown id
/// costs as much as one with a wrong password and does not reveal which ids exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-matches").unwrap_or_default())
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A CSV cell as a claim value: `true`/`false` become booleans (`age_over_18`), everything
/// else stays text, so identifiers keep their leading zeros.
fn cell_value(cell: &str) -> Value {
    match cell {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        other => Value::String(other.to_owned()),
    }
}

/// Puts `value` at the dotted `path` (`address.locality`) of `claims`.
fn insert_path(claims: &mut Map<String, Value>, path: &str, value: Value) -> Result<(), String> {
    let mut names = path.split('.').peekable();
    let mut target = claims;
    while let Some(name) = names.next() {
        if name.is_empty() {
            return Err(format!("column `{path}` has an empty name part"));
        }
        if names.peek().is_none() {
            target.insert(name.to_owned(), value);
            return Ok(());
        }
        let entry = target
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        target = entry
            .as_object_mut()
            .ok_or_else(|| format!("column `{path}` nests under a plain value"))?;
    }
    Ok(())
}

impl<S: IssuerStore> Issuer<S> {
    /// Creates or replaces subject `id` with `claims`; with `password`, the subject may log in
    /// to the authorization code flow (stored as an Argon2id hash only). Replacing keeps the
    /// password when `password` is `None`.
    pub async fn put_subject(
        &self,
        id: &str,
        claims: Map<String, Value>,
        password: Option<&str>,
    ) -> Result<SubjectRecord, IssuerError> {
        check_id(id)?;
        let existing = self.store().find_subject(id).await?;
        let password_hash = match password {
            Some(password) => Some(hash_password(password)?),
            None => existing.as_ref().and_then(|s| s.password_hash.clone()),
        };
        let now = now();
        let record = SubjectRecord {
            id: id.to_owned(),
            claims: Value::Object(claims).to_string(),
            password_hash,
            created_at: existing.map_or(now, |s| s.created_at),
            updated_at: now,
        };
        self.store().upsert_subject(&record).await?;
        Ok(record)
    }

    /// The subject `id`.
    pub async fn subject(&self, id: &str) -> Result<SubjectRecord, IssuerError> {
        self.store()
            .find_subject(id)
            .await?
            .ok_or_else(|| IssuerError::NotFound(format!("no subject `{id}`")))
    }

    /// Subjects by id, at most `limit`.
    pub async fn subjects(&self, limit: i64) -> Result<Vec<SubjectRecord>, IssuerError> {
        Ok(self.store().list_subjects(limit).await?)
    }

    /// Removes subject `id`; what was already issued stays recorded (and revocable).
    pub async fn remove_subject(&self, id: &str) -> Result<(), IssuerError> {
        if self.store().delete_subject(id).await? {
            Ok(())
        } else {
            Err(IssuerError::NotFound(format!("no subject `{id}`")))
        }
    }

    /// The subject `id` when `password` is its password; `None` for an unknown id, a subject
    /// without a password, or a wrong password — indistinguishable to the caller and in time.
    pub async fn authenticate_subject(
        &self,
        id: &str,
        password: &str,
    ) -> Result<Option<SubjectRecord>, IssuerError> {
        let subject = self.store().find_subject(id).await?;
        let hash = subject
            .as_ref()
            .and_then(|s| s.password_hash.as_deref())
            .unwrap_or_else(|| decoy_hash());
        let matches = password_matches(hash, password);
        Ok(subject.filter(|s| matches && s.password_hash.is_some()))
    }

    /// Imports subjects from CSV text with a header row: an `id` column, an optional
    /// `password` column, and one column per claim (`address.locality` nests). Every row is
    /// checked before any is stored, so a bad file changes nothing.
    pub async fn import_subjects_csv(&self, text: &str) -> Result<ImportReport, IssuerError> {
        let invalid = |why: String| IssuerError::InvalidInput(format!("CSV: {why}"));
        let mut rows = csv::parse(text).map_err(invalid)?.into_iter();
        let header = rows
            .next()
            .ok_or_else(|| invalid("the file is empty".into()))?;
        let id_column = header
            .iter()
            .position(|h| h == "id")
            .ok_or_else(|| invalid("the header has no `id` column".into()))?;
        let password_column = header.iter().position(|h| h == "password");
        let mut parsed = Vec::new();
        for (number, row) in rows.enumerate() {
            let line = number + 2;
            if parsed.len() == MAX_IMPORT_ROWS {
                return Err(invalid(format!("more than {MAX_IMPORT_ROWS} rows")));
            }
            if row.len() != header.len() {
                return Err(invalid(format!(
                    "row {line} has {} fields, the header {}",
                    row.len(),
                    header.len()
                )));
            }
            let mut claims = Map::new();
            for (column, (name, cell)) in header.iter().zip(&row).enumerate() {
                if column == id_column || Some(column) == password_column || cell.is_empty() {
                    continue;
                }
                insert_path(&mut claims, name, cell_value(cell))
                    .map_err(|why| invalid(format!("row {line}: {why}")))?;
            }
            let id = row[id_column].clone();
            check_id(&id).map_err(|e| invalid(format!("row {line}: {e}")))?;
            let password = password_column
                .map(|c| row[c].clone())
                .filter(|p| !p.is_empty());
            if let Some(password) = &password {
                check_password(password).map_err(|e| invalid(format!("row {line}: {e}")))?;
            }
            parsed.push((id, claims, password));
        }
        let mut report = ImportReport::default();
        for (id, claims, password) in parsed {
            self.put_subject(&id, claims, password.as_deref()).await?;
            report.imported += 1;
            report.ids.push(id);
        }
        Ok(report)
    }
}
