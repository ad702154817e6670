//! Report lists computed once and reused while paging, until users or histories change.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::Arc;

use crate::state::{Shared, lock};

/// How many computed lists the cache keeps. Clients page through one report at a time, and a
/// month of a 100,000-user account's activity contains about two million entries, so the cache
/// stays small.
const CAPACITY: usize = 2;

/// One computed list with the query and data revision it was computed for.
struct CachedReport {
    key: String,
    revision: u64,
    value: Arc<dyn Any + Send + Sync>,
}

/// Recently computed report lists, newest first.
#[derive(Default)]
pub(crate) struct ReportCache {
    entries: VecDeque<CachedReport>,
}

/// Returns the list cached for `key` at the current revision, or computes it with `compute`
/// and caches it. The computation runs without holding any lock.
pub(crate) fn cached<T: Any + Send + Sync>(
    state: &Shared,
    key: &str,
    compute: impl FnOnce() -> T,
) -> Arc<T> {
    let revision = state.revision();
    let hit = {
        let cache = lock(&state.reports);
        cache
            .entries
            .iter()
            .find(|entry| entry.key == key && entry.revision == revision)
            .map(|entry| entry.value.clone())
    };
    if let Some(value) = hit.and_then(|value| value.downcast::<T>().ok()) {
        return value;
    }

    let value = Arc::new(compute());
    let mut cache = lock(&state.reports);
    cache.entries.retain(|entry| entry.key != key);
    cache.entries.push_front(CachedReport {
        key: key.to_owned(),
        revision,
        value: value.clone(),
    });
    cache.entries.truncate(CAPACITY);
    value
}
