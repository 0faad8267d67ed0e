//! A page of rows read one at a time, bounded by a count and by bytes: a
//! pull never holds more than a page of stored records in memory, however
//! large each one is.

use super::StoreError;
use futures_util::{Stream, TryStreamExt};

/// Rows of one page, oldest first, and whether rows were left after them.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows after the last item were not read (the count or the bytes ran
    /// out): the next page starts after the last item.
    pub more: bool,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            more: false,
        }
    }
}

/// What bounds a page: at most `limit` rows and about `bytes` of stored
/// payload (the first row always goes in, whatever its size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBound {
    pub limit: usize,
    pub bytes: usize,
}

/// Reads `rows` (a query asking for `limit + 1`) into a page: stops at the
/// row that would pass the count or the bytes, and leaves the rest unread.
pub(crate) async fn read<R, T>(
    rows: impl Stream<Item = Result<R, sqlx::Error>>,
    bound: PageBound,
    size: impl Fn(&R) -> usize,
    convert: impl Fn(R) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let mut rows = std::pin::pin!(rows);
    let mut items = Vec::new();
    let mut bytes = 0usize;
    while let Some(row) = rows.try_next().await? {
        let n = size(&row);
        if items.len() == bound.limit || (!items.is_empty() && bytes + n > bound.bytes) {
            return Ok(Page { items, more: true });
        }
        bytes += n;
        items.push(convert(row)?);
    }
    Ok(Page { items, more: false })
}
