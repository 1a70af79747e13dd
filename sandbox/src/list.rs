//! Stripe's list objects and cursor pagination (`limit`, `starting_after`, `ending_before`).
//!
//! Every list endpoint answers `{object: "list", data, has_more, url}` and reads the same three
//! parameters, so both live here once rather than in each resource.

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::store::Document;

/// Renders a list object the way Stripe does.
pub fn list_object(data: Vec<Value>, has_more: bool, url: &str) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": url})
}

/// One page of a list.
#[derive(Debug)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Whether more items follow in the direction of travel.
    pub has_more: bool,
}

/// The paging parameters of a list request.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    /// `limit`, 1 to 100 (default 10).
    pub limit: usize,
    /// `starting_after`: the page after this ID.
    pub starting_after: Option<String>,
    /// `ending_before`: the page before this ID.
    pub ending_before: Option<String>,
}

/// The page size when a request sends no `limit`, as Stripe's.
const DEFAULT_LIMIT: u32 = 10;

impl Cursor {
    /// Takes `limit`, `starting_after` and `ending_before`. The limit is checked by
    /// [`Cursor::check`] once the handler has finished reading, so that an unknown parameter is
    /// reported before a bad limit, as Stripe does.
    pub fn take(params: &mut Params) -> ApiResult<Self> {
        let limit = params.take_u32(&["limit"])?.unwrap_or(DEFAULT_LIMIT);
        Ok(Cursor {
            limit: limit as usize,
            starting_after: params.take_str(&["starting_after"])?,
            ending_before: params.take_str(&["ending_before"])?,
        })
    }

    /// Refuses a page size Stripe would refuse.
    pub fn check(&self) -> ApiResult<()> {
        if !(1..=100).contains(&self.limit) {
            return Err(ApiError::invalid_param(
                "limit",
                "limit must be between 1 and 100.",
            ));
        }
        Ok(())
    }
}

/// Cuts one page out of `items` (already in list order) with Stripe's cursor semantics.
pub fn paginate<T: Document>(items: Vec<T>, cursor: &Cursor) -> ApiResult<Page<T>> {
    let limit = cursor.limit;
    let position = |id: &str, param: &str| {
        items
            .iter()
            .position(|item| item.id() == id)
            .ok_or_else(|| ApiError::no_such(T::KIND, id, Some(param)))
    };
    let (start, end) = match (&cursor.starting_after, &cursor.ending_before) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "You may only specify one of starting_after and ending_before.",
            ));
        }
        (Some(after), None) => {
            let from = position(after, "starting_after")? + 1;
            (from, (from + limit).min(items.len()))
        }
        (None, Some(before)) => {
            let to = position(before, "ending_before")?;
            (to.saturating_sub(limit), to)
        }
        (None, None) => (0, limit.min(items.len())),
    };
    let has_more = if cursor.ending_before.is_some() {
        start > 0
    } else {
        end < items.len()
    };
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok(Page { items, has_more })
}
