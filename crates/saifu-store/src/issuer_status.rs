//! The issuer's status lists in [`IssuerStore`] on SQLite and PostgreSQL: handing out slots and
//! opening the next list when the newest is full, in conditional statements whose effect the
//! database decides, so issuers on several nodes sharing a database never share a slot. The
//! slot and the credential's record are written in one transaction: one commit (one sync under
//! `synchronous=FULL`) per credential, and no slot is taken by an issuance that failed.

use saifu_issuer::{IssuedRecord, NewList, ReservedSlot, StatusListRecord, StoreFailure};

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
    pub(crate) async fn issuer_record_in_next_slot<F>(
        &self,
        record: &IssuedRecord,
        new_list: NewList<'_>,
        place: F,
    ) -> Result<(ReservedSlot, i64), StoreFailure>
    where
        F: Fn(&ReservedSlot) -> Result<i64, StoreFailure> + Send,
    {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(failure)?;
            let mut reserved = None;
            for _ in 0..RESERVE_ATTEMPTS {
                let taken: Option<SlotRow> = sqlx::query_as(TAKE)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(failure)?;
                let row = match taken {
                    Some(row) => Some(row),
                    None => sqlx::query_as(OPEN)
                        .bind(new_list.capacity)
                        .bind(new_list.shuffle_key)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(failure)?,
                };
                if let Some(row) = row {
                    reserved = Some(slot(row));
                    break;
                }
            }
            let reserved = reserved.ok_or_else(|| {
                StoreFailure("no status slot: other issuers kept opening lists first".into())
            })?;
            let number = place(&reserved)?;
            let inserted = insert_issued!(record, number)
                .execute(&mut *tx)
                .await
                .map_err(failure)?
                .rows_affected();
            if inserted != 1 {
                return Err(StoreFailure(
                    format!("credential number {number} is already taken").into(),
                ));
            }
            tx.commit().await.map_err(failure)?;
            Ok((reserved, number))
        })
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

    use saifu_issuer::{IssuedRecord, IssuerStore, NewList, ReservedSlot, StoreFailure};

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

    /// Records a credential with `status` in the next slot, numbered in allocation order.
    async fn reserve(store: &Store, capacity: i64, key: &str, status: u8) -> (ReservedSlot, i64) {
        let new_list = NewList {
            capacity,
            shuffle_key: key,
        };
        let place = |slot: &ReservedSlot| Ok(slot.list.first + slot.ordinal);
        let record = issued(0, status);
        store
            .record_in_next_slot(&record, new_list, place)
            .await
            .unwrap()
    }

    /// Lists fill in order, each keeps the key it was opened with, the next covers the numbers
    /// after the last, and an issuance that fails takes no slot.
    async fn rollover(store: &Store) {
        assert!(store.status_lists().await.unwrap().is_empty());
        let mut taken = Vec::new();
        for (key, status) in [("k0", 1), ("k1", 0), ("k2", 0), ("k3", 2), ("k4", 1)] {
            let (slot, number) = reserve(store, 3, key, status).await;
            assert_eq!(number, slot.list.first + slot.ordinal);
            taken.push((slot.list.number, slot.list.first, slot.ordinal));
            let expected_key = if slot.list.number == 0 { "k0" } else { "k3" };
            assert_eq!(slot.list.shuffle_key, expected_key);
        }
        assert_eq!(
            taken,
            vec![(0, 0, 0), (0, 0, 1), (0, 0, 2), (1, 3, 0), (1, 3, 1)]
        );

        let new_list = NewList {
            capacity: 3,
            shuffle_key: "k",
        };
        let refused = |_: &ReservedSlot| Err(StoreFailure("no position".into()));
        let record = issued(0, 0);
        assert!(
            store
                .record_in_next_slot(&record, new_list, refused)
                .await
                .is_err()
        );
        let taken_number = |_: &ReservedSlot| Ok(4);
        let failure = store
            .record_in_next_slot(&record, new_list, taken_number)
            .await;
        assert!(failure.unwrap_err().to_string().contains("already taken"));

        let (wider, number) = reserve(store, 10, "k5", 0).await;
        assert_eq!(
            (
                wider.list.number,
                wider.list.capacity,
                wider.ordinal,
                number
            ),
            (1, 3, 2, 5),
            "a list keeps its size, and failed issuances left its slot free"
        );
        let lists = store.status_lists().await.unwrap();
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[1].first, 3);
        assert_eq!(store.status_entries(0, 3).await.unwrap(), vec![(0, 1)]);
        assert_eq!(
            store.status_entries(3, 6).await.unwrap(),
            vec![(3, 2), (4, 1)]
        );
    }

    /// Many issuers at once: every slot handed out once, lists opened exactly when full.
    async fn concurrent(store: &Store) {
        let reservations = (0..40).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let (slot, _) = reserve(&store, 8, &format!("key {i}"), 0).await;
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
        let (slot, _) = reserve(&store, 131_072, "new", 0).await;
        assert_eq!((slot.list.number, slot.list.first), (1, 131_072));
        assert_eq!(
            store.status_entries(0, 131_072).await.unwrap(),
            vec![(99_000, 1)]
        );
    }
}
