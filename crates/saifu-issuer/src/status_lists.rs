//! The issuer's status lists: which slot a new credential gets, where a credential's status
//! is, and the signed lists verifiers fetch.
//!
//! A list has a fixed number of entries, so one list cannot serve an issuer for life. The store
//! opens lists one after another, each covering the next range of credential numbers; a new
//! credential takes the next slot of the newest list, at the position the list's secret
//! permutation gives that slot ([`crate::status_shuffle`]). List 1 (0-based number 0) is
//! published at `/status/1`, list 2 at `/status/2`, and so on; the W3C Bitstring lists of list
//! 1 keep their names (`w3c-revocation`), later ones add the list number (`w3c-revocation-2`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use rand::rngs::OsRng;
use saifu_credential::status::token::jwt;
use saifu_credential::status::{Bits, StatusList, StatusListToken, StatusValue};

use crate::clock::now;
use crate::config::IssuerConfig;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::status_shuffle::shuffle;
use crate::store::{
    IssuedRecord, IssuerStore, NewList, ReservedSlot, StatusListRecord, StoreFailure,
};
use crate::w3c::BITSTRING_LISTS;

/// How long verifiers may cache a Status List Token (its `ttl`), in seconds.
const STATUS_LIST_TTL: u64 = 300;
/// How long a Status List Token is valid (its `exp`), in seconds.
const STATUS_LIST_VALIDITY: i64 = 86_400;

/// Where one credential's status is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSlot {
    /// The list, 0-based (published at `/status/{list + 1}`).
    pub list: i64,
    /// The credential's entry in that list (the `idx` of its status reference).
    pub index: u64,
}

fn signing(e: impl std::fmt::Display) -> IssuerError {
    IssuerError::Signing(e.to_string())
}

impl IssuerConfig {
    /// The URI the Token Status List with 0-based number `list` is published at.
    pub fn status_list_uri(&self, list: i64) -> String {
        self.endpoint(&format!("/status/{}", list + 1))
    }
}

/// The 0-based list number of the Token Status List published as `/status/{name}`.
pub fn token_list_number(name: &str) -> Option<i64> {
    let published: i64 = name.parse().ok()?;
    (published >= 1 && name == published.to_string()).then_some(published - 1)
}

/// The name a Bitstring list of kind `base` (`w3c-revocation`) has for 0-based list `list`.
pub(crate) fn bitstring_list_name(base: &str, list: i64) -> String {
    match list {
        0 => base.to_owned(),
        _ => format!("{base}-{}", list + 1),
    }
}

/// The 0-based list number in the Bitstring list name `name` of kind `base`.
pub(crate) fn bitstring_list_number(base: &str, name: &str) -> Option<i64> {
    match name.strip_prefix(base)? {
        "" => Some(0),
        suffix => token_list_number(suffix.strip_prefix('-')?).filter(|&list| list > 0),
    }
}

impl<S: IssuerStore> Issuer<S> {
    /// The issuer's status lists; before the first credential, the list it will open first.
    pub async fn status_lists(&self) -> Result<Vec<StatusListRecord>, IssuerError> {
        let lists = self.store().status_lists().await?;
        if !lists.is_empty() {
            return Ok(lists);
        }
        let capacity = i64::try_from(self.config().status_list_size).map_err(signing)?;
        Ok(vec![StatusListRecord {
            number: 0,
            first: 0,
            capacity,
            shuffle_key: String::new(),
        }])
    }

    /// Where the status of each of `records` is published: the list URI its credential names
    /// (the Token Status List, or the revocation Bitstring list of a W3C credential) and its
    /// index there, so an operator can match a credential a verifier shows them.
    pub async fn published_status(
        &self,
        records: &[IssuedRecord],
    ) -> Result<Vec<Option<(String, u64)>>, IssuerError> {
        let lists = self.status_lists().await?;
        Ok(records
            .iter()
            .map(|record| {
                let (list, index) = locate(&lists, record.status_index)?;
                let w3c = self
                    .credential_config(&record.config_id)
                    .is_some_and(|config| config.w3c.is_some());
                let uri = match w3c {
                    true => self
                        .config()
                        .bitstring_list_uri(BITSTRING_LISTS[0].0, list.number),
                    false => self.config().status_list_uri(list.number),
                };
                Some((uri, index))
            })
            .collect())
    }

    /// Records `record` in the next free status slot; its number and slot.
    pub(crate) async fn allocate_slot(
        &self,
        record: IssuedRecord,
    ) -> Result<(i64, StatusSlot), IssuerError> {
        let capacity = i64::try_from(self.config().status_list_size).map_err(signing)?;
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        let key = B64URL.encode(key);
        let new_list = NewList {
            capacity,
            shuffle_key: &key,
        };
        let (reserved, number) = self
            .store()
            .record_in_next_slot(&record, new_list, position)
            .await?;
        let slot = StatusSlot {
            list: reserved.list.number,
            index: u64::try_from(number - reserved.list.first).map_err(signing)?,
        };
        Ok((number, slot))
    }

    /// `(index in the list, status)` of every entry of `list` that is not valid.
    pub(crate) async fn list_entries(
        &self,
        list: &StatusListRecord,
    ) -> Result<Vec<(u64, u8)>, IssuerError> {
        let entries = self
            .store()
            .status_entries(list.first, list.first + list.capacity)
            .await?;
        entries
            .into_iter()
            .map(|(number, value)| {
                Ok((u64::try_from(number - list.first).map_err(signing)?, value))
            })
            .collect()
    }

    /// The status list with 0-based number `list`, if it was opened.
    pub(crate) async fn status_list(
        &self,
        list: i64,
    ) -> Result<Option<StatusListRecord>, IssuerError> {
        let lists = self.status_lists().await?;
        Ok(lists.into_iter().find(|l| l.number == list))
    }

    /// The signed Status List Token (`statuslist+jwt`) of list `list` (0-based); `None` when
    /// no such list was opened.
    pub async fn status_list_token(&self, list: i64) -> Result<Option<String>, IssuerError> {
        match self.status_list(list).await? {
            Some(list) => self.sign_list_token(&list).await.map(Some),
            None => Ok(None),
        }
    }

    /// The Status List Token of the list holding credential `number`, and the credential's
    /// index in it (what a status change is logged with); `None` when no list holds it.
    pub async fn status_list_token_of(
        &self,
        number: i64,
    ) -> Result<Option<(String, u64)>, IssuerError> {
        let lists = self.status_lists().await?;
        match locate(&lists, number) {
            Some((list, index)) => Ok(Some((self.sign_list_token(list).await?, index))),
            None => Ok(None),
        }
    }

    async fn sign_list_token(&self, list: &StatusListRecord) -> Result<String, IssuerError> {
        let size = u64::try_from(list.capacity).map_err(signing)?;
        let mut bits = StatusList::new(Bits::Two, size);
        for (index, value) in self.list_entries(list).await? {
            bits.set(index, StatusValue::from_raw(value))
                .map_err(signing)?;
        }
        let issued_at = now();
        let uri = self.config().status_list_uri(list.number);
        let mut token = StatusListToken::new(uri, issued_at, bits);
        token.exp = Some(issued_at + STATUS_LIST_VALIDITY);
        token.iss = Some(self.config().issuer_id.clone());
        token.ttl = Some(STATUS_LIST_TTL);
        jwt::sign(&token, &self.config().signer)
            .await
            .map_err(signing)
    }
}

/// The credential number of `reserved`: its list's `first` plus the position the list's
/// permutation gives the slot.
fn position(reserved: &ReservedSlot) -> Result<i64, StoreFailure> {
    let list = &reserved.list;
    let failure = |why: String| StoreFailure(why.into());
    let key = B64URL
        .decode(&list.shuffle_key)
        .map_err(|e| failure(format!("status list {}: bad key: {e}", list.number + 1)))?;
    // The permutation needs at least two positions and a slot inside them; a list of 0 or 1
    // entries (a store or configuration gone wrong) is refused rather than walked forever.
    let slot = u64::try_from(reserved.ordinal)
        .ok()
        .zip(u64::try_from(list.capacity).ok())
        .filter(|&(ordinal, size)| size >= 2 && ordinal < size);
    let Some((ordinal, size)) = slot else {
        return Err(bad_slot(reserved));
    };
    let index = i64::try_from(shuffle(&key, ordinal, size)).map_err(|e| failure(e.to_string()))?;
    Ok(list.first + index)
}

fn bad_slot(reserved: &ReservedSlot) -> StoreFailure {
    let list = &reserved.list;
    StoreFailure(
        format!(
            "status list {} has no slot {} among its {} entries",
            list.number + 1,
            reserved.ordinal,
            list.capacity
        )
        .into(),
    )
}

/// The list among `lists` holding credential `number`, and the credential's index in it.
fn locate(lists: &[StatusListRecord], number: i64) -> Option<(&StatusListRecord, u64)> {
    let list = lists
        .iter()
        .find(|list| list.first <= number && number < list.first + list.capacity)?;
    Some((list, u64::try_from(number - list.first).ok()?))
}

#[cfg(test)]
mod tests {
    use super::{bitstring_list_name, bitstring_list_number, position, token_list_number};
    use crate::store::{ReservedSlot, StatusListRecord};

    fn reserved(capacity: i64, ordinal: i64) -> ReservedSlot {
        let list = StatusListRecord {
            number: 1,
            first: 100,
            capacity,
            shuffle_key: "a2V5".into(),
        };
        ReservedSlot { list, ordinal }
    }

    #[test]
    fn a_slot_lands_inside_its_list() {
        for ordinal in 0..16 {
            let number = position(&reserved(16, ordinal)).unwrap();
            assert!((100..116).contains(&number), "{number}");
        }
    }

    #[test]
    fn a_slot_outside_its_list_is_refused() {
        for (capacity, ordinal) in [(0, 0), (1, 0), (16, 16), (16, -1), (-5, 0)] {
            let refused = position(&reserved(capacity, ordinal)).unwrap_err();
            assert!(
                refused.to_string().contains("has no slot"),
                "{capacity} {ordinal}: {refused}"
            );
        }
        let bad_key = ReservedSlot {
            list: StatusListRecord {
                shuffle_key: "not base64!".into(),
                ..reserved(16, 0).list
            },
            ordinal: 0,
        };
        assert!(
            position(&bad_key)
                .unwrap_err()
                .to_string()
                .contains("bad key")
        );
    }

    #[test]
    fn token_list_names_are_one_based_decimal() {
        assert_eq!(token_list_number("1"), Some(0));
        assert_eq!(token_list_number("12"), Some(11));
        for bad in [
            "0",
            "-1",
            "01",
            "+1",
            "1.0",
            "",
            "w3c",
            "99999999999999999999",
        ] {
            assert_eq!(token_list_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn bitstring_names_round_trip() {
        for list in [0, 1, 7] {
            let name = bitstring_list_name("w3c-revocation", list);
            assert_eq!(bitstring_list_number("w3c-revocation", &name), Some(list));
        }
        assert_eq!(bitstring_list_name("w3c-revocation", 1), "w3c-revocation-2");
        for bad in [
            "w3c-revocation-1",
            "w3c-revocation-0",
            "w3c-revocation2",
            "w3c-suspension",
        ] {
            assert_eq!(bitstring_list_number("w3c-revocation", bad), None, "{bad}");
        }
    }
}
