//! Keyset pagination: a page continues after the last row's (sort key, id), so page 100 costs
//! what page 1 costs. The cursor is `"{id}:{key}"`. A leaf: imports no service.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryOrder, Select, Value};
use simdesk_types::{SortOrder, Wording};

use crate::{DomainError, DomainResult};

fn damaged() -> DomainError {
    DomainError::invalid(
        "after",
        Wording::new(
            "This page link is damaged; start from the first page.",
            "Dieser Seitenlink ist beschädigt; beginnen Sie auf der ersten Seite.",
        ),
    )
}

/// Reads a cursor into the last row's id and sort key.
pub(crate) fn parse_cursor(cursor: &str) -> DomainResult<(i64, String)> {
    cursor
        .split_once(':')
        .and_then(|(id, key)| Some((id.parse::<i64>().ok()?, key.to_owned())))
        .ok_or_else(damaged)
}

/// Reads a cursor whose sort key is a whole number.
pub(crate) fn parse_numeric_cursor(cursor: &str) -> DomainResult<(i64, i64)> {
    let (id, key) = parse_cursor(cursor)?;
    Ok((id, key.parse().map_err(|_| damaged())?))
}

/// The rows after (key, id) in the given order.
pub(crate) fn after<C: ColumnTrait>(
    column: C,
    id_column: C,
    key: Value,
    id: i64,
    order: SortOrder,
) -> Condition {
    let (past_key, past_id): (SimpleExpr, SimpleExpr) = match order {
        SortOrder::Ascending => (Expr::col(column).gt(key.clone()), id_column.gt(id)),
        SortOrder::Descending => (Expr::col(column).lt(key.clone()), id_column.lt(id)),
    };
    Condition::any()
        .add(past_key)
        .add(Condition::all().add(Expr::col(column).eq(key)).add(past_id))
}

/// Orders by the sort column, then by id so that equal keys have a stable order.
pub(crate) fn ordered<E: EntityTrait, C: ColumnTrait>(
    select: Select<E>,
    column: C,
    id_column: C,
    order: SortOrder,
) -> Select<E> {
    match order {
        SortOrder::Ascending => select.order_by_asc(column).order_by_asc(id_column),
        SortOrder::Descending => select.order_by_desc(column).order_by_desc(id_column),
    }
}

/// Cuts the one extra row a page query fetched and returns the cursor of the next page.
pub(crate) fn next_cursor<T>(
    rows: &mut Vec<T>,
    limit: u64,
    cursor_of: impl Fn(&T) -> (i64, String),
) -> Option<String> {
    if rows.len() as u64 <= limit {
        return None;
    }
    rows.truncate(limit as usize);
    rows.last().map(|last| {
        let (id, key) = cursor_of(last);
        format!("{id}:{key}")
    })
}

/// The largest page any list serves.
pub const MAX_PAGE_SIZE: u64 = 200;

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 50%_Off "), "%50\\%\\_off%");
    }
}
