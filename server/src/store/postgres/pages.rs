//! Keyset pages of the lists ordered by creation (an owner's resumes and
//! jobs, a resume's shares; [`crate::store::Page`]).
//!
//! A list is one scope column (`owner`, `resume_id`) and the order
//! (created_at, key), with an index in exactly that order
//! (`migrations/0002_share_history_and_pages.sql`). A page is the rows
//! after the cursor's position in that order, `LIMIT limit + 1`: the index
//! is read from the position on and stops after one row more than the page
//! (which says whether another page follows), never an OFFSET or the whole
//! list. The position's key is compared as text, bytewise, as the redb
//! backend compares it: a uuid's text orders as the uuid does, so the
//! index on the uuid serves the order, and the comparison only filters the
//! rows created in the position's own microsecond. A position's time is a
//! whole number of microseconds, as the cursor carries it; one outside
//! what PostgreSQL can hold (a client may alter a cursor's position) is
//! clamped to a time no item has.

use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

use super::big;
use crate::store::{Page, Paged, Position, StoreError};

/// One list ordered by creation: the rows of `table` whose `scope` column
/// is the page's scope, ordered by `created_at`, then `key` (an ordering
/// expression the list's index has), the key compared as `key_text`.
pub(super) struct List {
    /// `SELECT <columns> FROM <table>`; the columns must include
    /// `created_at` (for the position).
    pub select: &'static str,
    pub scope: &'static str,
    pub key: &'static str,
    pub key_text: &'static str,
}

/// An owner's resumes: `record`, `is_master`, `created_at`, `id`.
pub(super) const RESUMES: List = List {
    select: "SELECT record, is_master, created_at, id FROM resumes",
    scope: "owner",
    key: "id",
    key_text: "id::text COLLATE \"C\"",
};

/// An owner's jobs: `record`, `created_at`, `id`.
pub(super) const JOBS: List = List {
    select: "SELECT record, created_at, id FROM jobs",
    scope: "owner",
    key: "id",
    key_text: "id::text COLLATE \"C\"",
};

/// A resume's shares: `key`, `record`, `created_at`.
pub(super) const SHARES: List = List {
    select: "SELECT key, record, created_at FROM shares",
    scope: "resume_id",
    key: "key COLLATE \"C\"",
    key_text: "key COLLATE \"C\"",
};

/// The earliest time a position is compared at: long before any item was
/// made, and within what PostgreSQL's `timestamptz` holds (from 4713 BC).
const EARLIEST_MICROS: i64 = -180_000_000_000_000_000;

/// A position's time as a `timestamptz` PostgreSQL can hold; the order of
/// every real item to it is unchanged.
fn position_time(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.max(EARLIEST_MICROS)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The position of a row of `list` whose key is `key`.
pub(super) fn position(row: &Row, key: String) -> Position {
    let at: DateTime<Utc> = row.get("created_at");
    Position {
        at: at.timestamp_micros(),
        key,
    }
}

/// The query of a page of `list`: from the first row (`$1` the scope,
/// `$2` the rows to read), or `after` a position (`$2` its time, `$3` its
/// key, `$4` the rows to read).
pub(super) fn sql(list: &List, after: bool) -> String {
    let List {
        select,
        scope,
        key,
        key_text,
    } = list;
    if after {
        format!(
            "{select} WHERE {scope} = $1 AND created_at >= $2 \
             AND (created_at > $2 OR {key_text} > $3) \
             ORDER BY created_at, {key} LIMIT $4"
        )
    } else {
        format!("{select} WHERE {scope} = $1 ORDER BY created_at, {key} LIMIT $2")
    }
}

/// One page of `list` in `scope`: the rows, at most the page's limit, each
/// made an item with its position by `item`, and where the next page
/// starts when more follow.
pub(super) async fn page<C, T>(
    client: &C,
    list: &List,
    scope: &(dyn ToSql + Sync),
    page: &Page<Position>,
    item: impl Fn(&Row) -> Result<(T, Position), StoreError>,
) -> Result<Paged<T, Position>, StoreError>
where
    C: GenericClient + Sync,
{
    // A page of none would never move on.
    let limit = page.limit.max(1);
    let fetch = big(limit as u64).saturating_add(1);
    let rows = match &page.after {
        None => {
            let sql = sql(list, false);
            client.query(sql.as_str(), &[scope, &fetch]).await?
        }
        Some(after) => {
            let sql = sql(list, true);
            let at = position_time(after.at);
            client
                .query(sql.as_str(), &[scope, &at, &after.key, &fetch])
                .await?
        }
    };
    let more = rows.len() > limit;
    let mut items = Vec::with_capacity(rows.len().min(limit));
    let mut last = None;
    for row in rows.iter().take(limit) {
        let (value, position) = item(row)?;
        items.push(value);
        last = Some(position);
    }
    Ok(Paged {
        items,
        next: if more { last } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_time_is_one_postgresql_holds() {
        let now = crate::store::now();
        let micros = now.timestamp_micros();
        assert_eq!(position_time(micros).timestamp_micros(), micros);
        assert_eq!(
            position_time(i64::MIN).timestamp_micros(),
            EARLIEST_MICROS,
            "clamped to long before any item"
        );
        assert_eq!(position_time(i64::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
