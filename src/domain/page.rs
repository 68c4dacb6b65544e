//! Cursor pagination over a list kept in a stable order. A cursor names the
//! last item of the page before, so items added at the front (the newest
//! project) never shift a page that is still being read.

use uuid::Uuid;

use super::field_error::FieldError;

/// The most items one page may hold, and how many a page holds when the
/// caller does not say.
pub const MAX_PAGE: usize = 100;
pub const DEFAULT_PAGE: usize = 50;

/// One page: its items, and the cursor of the next page when there is one.
#[derive(Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The page of `items` after the one `cursor` ended, of at most `limit`
/// items. `id` names each item; a cursor that names no item is an error
/// (the list it came from is not this one), never a silent first page.
pub fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> Uuid,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<T>, FieldError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let start = match cursor {
        None => 0,
        Some(cursor) => {
            let unknown = || FieldError::new("cursor", "is not a cursor of this list");
            let after = Uuid::parse_str(cursor).map_err(|_| unknown())?;
            items
                .iter()
                .position(|item| id(item) == after)
                .ok_or_else(unknown)?
                + 1
        }
    };
    let more = items.len() > start + limit;
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_cursor = more
        .then(|| items.last().map(|last| id(last).to_string()))
        .flatten();
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let all = ids(5);
        let first = page(all.clone(), |id| *id, None, 2).unwrap();
        assert_eq!(first.items, ids(2));
        let second = page(all.clone(), |id| *id, first.next_cursor.as_deref(), 2).unwrap();
        assert_eq!(second.items, vec![Uuid::from_u128(3), Uuid::from_u128(4)]);
        let last = page(all, |id| *id, second.next_cursor.as_deref(), 2).unwrap();
        assert_eq!(last.items, vec![Uuid::from_u128(5)]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_full_last_page_has_no_next_cursor() {
        let all = ids(4);
        let first = page(all.clone(), |id| *id, None, 2).unwrap();
        let second = page(all, |id| *id, first.next_cursor.as_deref(), 2).unwrap();
        assert_eq!(second.items.len(), 2);
        assert_eq!(second.next_cursor, None);
    }

    #[test]
    fn an_item_added_at_the_front_does_not_shift_the_next_page() {
        let mut all = ids(4);
        let first = page(all.clone(), |id| *id, None, 2).unwrap();
        all.insert(0, Uuid::from_u128(99));
        let second = page(all, |id| *id, first.next_cursor.as_deref(), 2).unwrap();
        assert_eq!(second.items, vec![Uuid::from_u128(3), Uuid::from_u128(4)]);
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        let err = page(ids(3), |id| *id, Some("not-a-cursor"), 2).unwrap_err();
        assert_eq!(err.field, "cursor");
        let other = Uuid::from_u128(77).to_string();
        assert!(page(ids(3), |id| *id, Some(&other), 2).is_err());
    }
}
