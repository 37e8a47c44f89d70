//! The issuer's status lists in [`IssuerStore`] on SQLite and PostgreSQL: handing out slots and
//! opening the next list when the newest is full, in single statements whose effect the
//! database decides, so issuers on several nodes sharing a database never share a slot.

use saifu_issuer::{ReservedSlot, StatusListRecord, StoreFailure};

use crate::Store;
use crate::sql::failure;

/// `(list_number, first, capacity, ordinal, shuffle_key)`.
type SlotRow = (i64, i64, i64, i64, String);

/// Takes the next slot of the newest list, if it has one left.
const TAKE: &str = "UPDATE issuer_status_list SET allocated = allocated + 1 \
    WHERE list_number = (SELECT MAX(list_number) FROM issuer_status_list) \
    AND allocated < capacity \
    RETURNING list_number, first, capacity, allocated - 1, shuffle_key";

/// Opens the list after the newest (the first when there is none) with its first slot taken,
/// unless the newest still has a free slot; no row then, or when another caller opened it first.
const OPEN: &str = "INSERT INTO issuer_status_list \
    (list_number, first, capacity, allocated, shuffle_key) \
    SELECT next.number, next.first, $1, 1, $2 FROM \
    (SELECT COALESCE(MAX(list_number) + 1, 0) AS number, \
    COALESCE(MAX(first + capacity), 0) AS first FROM issuer_status_list) AS next \
    WHERE NOT EXISTS (SELECT 1 FROM issuer_status_list \
    WHERE list_number = next.number - 1 AND allocated < capacity) \
    ON CONFLICT (list_number) DO NOTHING \
    RETURNING list_number, first, capacity, CAST(0 AS BIGINT), shuffle_key";

const LISTS: &str = "SELECT list_number, first, capacity, shuffle_key \
    FROM issuer_status_list ORDER BY list_number";

/// Attempts before giving up when other callers keep filling or opening lists between our two
/// statements (each lost race leaves a list with free slots for the next attempt).
const RESERVE_ATTEMPTS: usize = 8;

fn slot((number, first, capacity, ordinal, shuffle_key): SlotRow) -> ReservedSlot {
    ReservedSlot {
        list: StatusListRecord {
            number,
            first,
            capacity,
            shuffle_key,
        },
        ordinal,
    }
}

impl Store {
    pub(crate) async fn issuer_reserve_status_slot(
        &self,
        capacity: i64,
        shuffle_key: &str,
    ) -> Result<ReservedSlot, StoreFailure> {
        for _ in 0..RESERVE_ATTEMPTS {
            let taken: Option<SlotRow> = on_pool!(self, pool => sqlx::query_as(TAKE)
                .fetch_optional(pool)
                .await)
            .map_err(failure)?;
            if let Some(row) = taken {
                return Ok(slot(row));
            }
            let opened: Option<SlotRow> = on_pool!(self, pool => sqlx::query_as(OPEN)
                .bind(capacity)
                .bind(shuffle_key)
                .fetch_optional(pool)
                .await)
            .map_err(failure)?;
            if let Some(row) = opened {
                return Ok(slot(row));
            }
        }
        Err(StoreFailure(
            "no status slot: other issuers kept opening lists first".into(),
        ))
    }

    pub(crate) async fn issuer_status_lists(&self) -> Result<Vec<StatusListRecord>, StoreFailure> {
        let rows: Vec<(i64, i64, i64, String)> = on_pool!(self, pool => sqlx::query_as(LISTS)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        Ok(rows
            .into_iter()
            .map(|(number, first, capacity, shuffle_key)| StatusListRecord {
                number,
                first,
                capacity,
                shuffle_key,
            })
            .collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use saifu_issuer::{IssuedRecord, IssuerStore};

    use crate::Store;
    use crate::testing::TestDatabase;

    /// A record of an issued credential numbered `number` with `status`, for store tests.
    pub(crate) fn issued(number: i64, status: u8) -> IssuedRecord {
        IssuedRecord {
            status_index: number,
            config_id: "diploma".into(),
            claims: "{}".into(),
            holder_thumbprint: None,
            issued_at: 1,
            expires_at: 2,
            subject_id: None,
            status,
            status_changed_at: None,
        }
    }

    /// Lists fill in order, each keeps the key it was opened with, and the next covers the
    /// numbers after the last.
    async fn rollover(store: &Store) {
        assert!(store.status_lists().await.unwrap().is_empty());
        let mut taken = Vec::new();
        for key in ["k0", "k1", "k2", "k3", "k4"] {
            let slot = store.reserve_status_slot(3, key).await.unwrap();
            taken.push((slot.list.number, slot.list.first, slot.ordinal));
            let expected_key = if slot.list.number == 0 { "k0" } else { "k3" };
            assert_eq!(slot.list.shuffle_key, expected_key);
        }
        assert_eq!(
            taken,
            vec![(0, 0, 0), (0, 0, 1), (0, 0, 2), (1, 3, 0), (1, 3, 1)]
        );
        let wider = store.reserve_status_slot(10, "k5").await.unwrap();
        assert_eq!(
            (wider.list.number, wider.list.capacity),
            (1, 3),
            "a list keeps its size"
        );
        let lists = store.status_lists().await.unwrap();
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[1].first, 3);

        for (number, status) in [(1, 1), (2, 0), (4, 2), (5, 1)] {
            assert!(store.record_issued(&issued(number, status)).await.unwrap());
        }
        assert_eq!(store.status_entries(0, 3).await.unwrap(), vec![(1, 1)]);
        assert_eq!(
            store.status_entries(3, 6).await.unwrap(),
            vec![(4, 2), (5, 1)]
        );
    }

    /// Many issuers at once: every slot handed out once, lists opened exactly when full.
    async fn concurrent(store: &Store) {
        let reservations = (0..40).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let slot = store.reserve_status_slot(8, &format!("key {i}")).await;
                let slot = slot.unwrap();
                (slot.list.number, slot.ordinal)
            })
        });
        let mut slots = BTreeSet::new();
        for reservation in reservations.collect::<Vec<_>>() {
            assert!(slots.insert(reservation.await.unwrap()), "a slot twice");
        }
        let expected: BTreeSet<_> = (0..5).flat_map(|l| (0..8).map(move |o| (l, o))).collect();
        assert_eq!(slots, expected);
    }

    #[tokio::test]
    async fn status_lists_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        rollover(&Store::open_in_dir(dir.path()).await.unwrap()).await;
        let dir = tempfile::tempdir().unwrap();
        concurrent(&Store::open_in_dir(dir.path()).await.unwrap()).await;
    }

    #[tokio::test]
    async fn status_lists_on_postgres() {
        let database = TestDatabase::create().await.unwrap();
        let store = Store::open(database.url()).await.unwrap();
        rollover(&store).await;
        store.close().await;
        let database = TestDatabase::create().await.unwrap();
        let store = Store::open(database.url()).await.unwrap();
        concurrent(&store).await;
        store.close().await;
    }

    /// A database from before lists rolled over: its credentials hold random indexes of one
    /// list of 2^17, so that list is closed and new credentials go to list 2.
    #[tokio::test]
    async fn an_older_database_continues_on_a_new_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        assert!(store.record_issued(&issued(99_000, 1)).await.unwrap());
        let crate::store::Pool::Sqlite(pool) = store.pool() else {
            unreachable!("opened in a directory")
        };
        sqlx::raw_sql(
            "DROP INDEX issuer_issued_not_valid; DROP TABLE issuer_status_list; \
             DELETE FROM _sqlx_migrations WHERE version = 17;",
        )
        .execute(pool)
        .await
        .unwrap();
        store.close().await;

        let store = Store::open_in_dir(dir.path()).await.unwrap();
        let lists = store.status_lists().await.unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!((lists[0].first, lists[0].capacity), (0, 131_072));
        let slot = store.reserve_status_slot(131_072, "new").await.unwrap();
        assert_eq!((slot.list.number, slot.list.first), (1, 131_072));
        assert_eq!(
            store.status_entries(0, 131_072).await.unwrap(),
            vec![(99_000, 1)]
        );
    }
}
