//! A bounded cache whose entries expire after a fixed time to live.
//!
//! Bounded so that a flood of distinct DIDs cannot grow memory without limit; expiring so that a
//! rotated or removed key stops being trusted within the TTL. When full, expired entries go first,
//! then the entry closest to expiry (the oldest, since every entry lives equally long).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Values keyed by string, at most `capacity` of them, each valid for `ttl`.
#[derive(Debug)]
pub(crate) struct TtlCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
    capacity: usize,
    ttl: Duration,
}

impl<V: Clone> TtlCache<V> {
    /// A cache of `capacity` entries (0 disables caching) living `ttl` each.
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
            ttl,
        }
    }

    /// The live value for `key`, if any.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    /// Stores `value` under `key`, evicting if full.
    pub(crate) fn insert(&self, key: &str, value: V) {
        self.insert_at(key, value, Instant::now());
    }

    fn get_at(&self, key: &str, now: Instant) -> Option<V> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some((expires, value)) if *expires > now => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn insert_at(&self, key: &str, value: V, now: Instant) {
        if self.capacity == 0 || self.ttl.is_zero() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, (expires, _)| *expires > now);
            if entries.len() >= self.capacity {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, (expires, _))| *expires)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key.to_owned(), (now + self.ttl, value));
    }

    /// The map, even if another thread panicked while holding it: every operation leaves the map
    /// consistent, so its contents stay valid.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, V)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_bound() {
        let cache = TtlCache::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        cache.insert_at("a", 1, t0);
        cache.insert_at("b", 2, t0 + Duration::from_secs(1));
        assert_eq!(cache.get_at("a", t0 + Duration::from_secs(9)), Some(1));
        assert_eq!(cache.get_at("a", t0 + Duration::from_secs(10)), None);
        cache.insert_at("a", 1, t0 + Duration::from_secs(2));
        // Full: inserting "c" evicts "b", the entry closest to expiry.
        cache.insert_at("c", 3, t0 + Duration::from_secs(3));
        assert_eq!(cache.get_at("b", t0 + Duration::from_secs(3)), None);
        assert_eq!(cache.get_at("a", t0 + Duration::from_secs(3)), Some(1));
        assert_eq!(cache.get_at("c", t0 + Duration::from_secs(3)), Some(3));
        assert_eq!(cache.lock().len(), 2);
    }

    #[test]
    fn disabled() {
        let cache = TtlCache::new(0, Duration::from_secs(10));
        cache.insert("a", 1);
        assert_eq!(cache.get("a"), None);
        let cache = TtlCache::new(10, Duration::ZERO);
        cache.insert("a", 1);
        assert_eq!(cache.get("a"), None);
    }
}
