//! The administrative half of [`IssuerStore`] on SQLite and PostgreSQL: subjects, the record of
//! issued credentials and their status, and offers published by reference.

use saifu_issuer::{IssuedRecord, StoreFailure, SubjectRecord};

use crate::Store;
use crate::sql::failure;

type IssuedRow = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
    i64,
    Option<i64>,
);
type SubjectRow = (String, String, Option<String>, i64, i64);

const ISSUED_COLUMNS: &str = "status_index, config_id, claims, holder_thumbprint, issued_at, \
    expires_at, subject_id, status, status_changed_at";
const SUBJECT_COLUMNS: &str = "id, claims, password_hash, created_at, updated_at";

fn issued(row: IssuedRow) -> Result<IssuedRecord, StoreFailure> {
    let (status_index, config_id, claims, holder_thumbprint, issued_at, expires_at, subject_id) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
    let status = u8::try_from(row.7).map_err(|e| StoreFailure(Box::new(e)))?;
    Ok(IssuedRecord {
        status_index,
        config_id,
        claims,
        holder_thumbprint,
        issued_at,
        expires_at,
        subject_id,
        status,
        status_changed_at: row.8,
    })
}

fn subject((id, claims, password_hash, created_at, updated_at): SubjectRow) -> SubjectRecord {
    SubjectRecord {
        id,
        claims,
        password_hash,
        created_at,
        updated_at,
    }
}

impl Store {
    pub(crate) async fn issuer_find_issued(
        &self,
        status_index: i64,
    ) -> Result<Option<IssuedRecord>, StoreFailure> {
        let sql = format!("SELECT {ISSUED_COLUMNS} FROM issuer_issued WHERE status_index = $1");
        let row: Option<IssuedRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(status_index)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        row.map(issued).transpose()
    }

    pub(crate) async fn issuer_list_issued(
        &self,
        subject_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<IssuedRecord>, StoreFailure> {
        let sql = format!(
            "SELECT {ISSUED_COLUMNS} FROM issuer_issued \
             WHERE ($1 IS NULL OR subject_id = $1) ORDER BY issued_at DESC, status_index LIMIT $2"
        );
        let rows: Vec<IssuedRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(subject_id)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        rows.into_iter().map(issued).collect()
    }

    pub(crate) async fn issuer_change_status(
        &self,
        status_index: i64,
        from: u8,
        to: u8,
        now: i64,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = "UPDATE issuer_issued SET status = $1, status_changed_at = $2 \
            WHERE status_index = $3 AND status = $4";
        let affected = on_pool!(self, pool => sqlx::query(SQL)
            .bind(i64::from(to))
            .bind(now)
            .bind(status_index)
            .bind(i64::from(from))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }

    pub(crate) async fn issuer_upsert_subject(
        &self,
        subject: &SubjectRecord,
    ) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_subject (id, claims, password_hash, created_at, \
            updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
            claims = excluded.claims, password_hash = excluded.password_hash, \
            updated_at = excluded.updated_at";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(&subject.id)
            .bind(&subject.claims)
            .bind(&subject.password_hash)
            .bind(subject.created_at)
            .bind(subject.updated_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    pub(crate) async fn issuer_find_subject(
        &self,
        id: &str,
    ) -> Result<Option<SubjectRecord>, StoreFailure> {
        let sql = format!("SELECT {SUBJECT_COLUMNS} FROM issuer_subject WHERE id = $1");
        let row: Option<SubjectRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(subject))
    }

    pub(crate) async fn issuer_list_subjects(
        &self,
        limit: i64,
    ) -> Result<Vec<SubjectRecord>, StoreFailure> {
        let sql = format!("SELECT {SUBJECT_COLUMNS} FROM issuer_subject ORDER BY id LIMIT $1");
        let rows: Vec<SubjectRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        Ok(rows.into_iter().map(subject).collect())
    }

    pub(crate) async fn issuer_delete_subject(&self, id: &str) -> Result<bool, StoreFailure> {
        const SQL: &str = "DELETE FROM issuer_subject WHERE id = $1";
        let affected = on_pool!(self, pool => sqlx::query(SQL)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }

    pub(crate) async fn issuer_insert_configuration(
        &self,
        id: &str,
        definition: &str,
        created_at: i64,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_configuration (id, definition, created_at) \
            VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING";
        let affected = on_pool!(self, pool => sqlx::query(SQL)
            .bind(id)
            .bind(definition)
            .bind(created_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }

    pub(crate) async fn issuer_list_configurations(&self) -> Result<Vec<String>, StoreFailure> {
        const SQL: &str = "SELECT definition FROM issuer_configuration ORDER BY created_at, id";
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        Ok(rows.into_iter().map(|(definition,)| definition).collect())
    }

    pub(crate) async fn issuer_insert_offer_reference(
        &self,
        id_digest: &str,
        sealed: &str,
        expires_at: i64,
    ) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_offer_reference (id_digest, sealed, expires_at) \
            VALUES ($1, $2, $3)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(id_digest)
            .bind(sealed)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    pub(crate) async fn issuer_find_offer_reference(
        &self,
        id_digest: &str,
        now: i64,
    ) -> Result<Option<String>, StoreFailure> {
        const SQL: &str = "SELECT sealed FROM issuer_offer_reference \
            WHERE id_digest = $1 AND expires_at > $2";
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(id_digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(|(sealed,)| sealed))
    }
}
