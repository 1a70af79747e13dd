//! `Stripe-Version`: which API version a response is rendered in, and what a GA version does
//! not show.
//!
//! Objects render every field they have, then hide the fields their [`PreviewFields`]
//! declaration lists when the reader's version is not a preview one. Because the same
//! declaration also cleans the objects events captured (in preview) for a GA reader, a field
//! cannot be hidden from responses yet leak through webhooks, or the other way round.
//!
//! A declared field may be nested (`status_details.inactive`): GA has the parent but not that
//! member of it, and a parent the hiding leaves empty goes too, so a GA reader never sees an
//! empty shell of preview-only members.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::Value;

use crate::config::DEFAULT_API_VERSION;
use crate::error::ApiError;

/// The API version of a request. Preview versions (ending in `.preview`) see the relink fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion(pub String);

impl ApiVersion {
    /// Whether preview-only fields are rendered.
    pub fn is_preview(&self) -> bool {
        self.0.ends_with(".preview")
    }

    /// The sandbox's default, a preview version.
    pub fn preview() -> Self {
        ApiVersion(DEFAULT_API_VERSION.to_owned())
    }

    /// Removes the fields `declared` lists from an object rendered with all of them, unless
    /// this is a preview version.
    pub fn hide_preview_fields(&self, rendered: &mut Value, declared: &PreviewFields) {
        if !self.is_preview() {
            declared.remove_from(rendered);
        }
    }

    /// Like [`ApiVersion::hide_preview_fields`], for JSON captured earlier (an event's
    /// `data.object`): every object in `captured`, however deeply nested (a session's
    /// `accounts.data[]`), loses the fields its kind's declaration in `declared` lists.
    pub fn hide_captured_preview_fields(&self, captured: &mut Value, declared: &[&PreviewFields]) {
        if self.is_preview() {
            return;
        }
        match captured {
            Value::Object(map) => {
                let kind = map.get("object").and_then(Value::as_str);
                if let Some(declaration) = declared.iter().find(|d| Some(d.object) == kind) {
                    for field in declaration.fields {
                        remove_path(map, field);
                    }
                }
                for nested in map.values_mut() {
                    self.hide_captured_preview_fields(nested, declared);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.hide_captured_preview_fields(item, declared);
                }
            }
            _ => {}
        }
    }
}

/// The fields of one kind of API object that only preview versions show: declared once, next
/// to the object's `to_json`, and used for responses and for captured event data alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewFields {
    /// The object's `object` value, e.g. `financial_connections.session`.
    pub object: &'static str,
    /// Its fields that exist only in preview versions: top-level names, or dotted paths
    /// (`status_details.inactive`) for members of objects GA has too.
    pub fields: &'static [&'static str],
}

impl PreviewFields {
    /// Removes the declared fields from `rendered`, an object of this kind.
    pub fn remove_from(&self, rendered: &mut Value) {
        if let Some(map) = rendered.as_object_mut() {
            for field in self.fields {
                remove_path(map, field);
            }
        }
    }
}

/// Removes the member a dotted `path` names, then every object on the way to it that is left
/// empty. A path whose parents are not all there changes nothing; returns whether they were.
fn remove_path(map: &mut serde_json::Map<String, Value>, path: &str) -> bool {
    let Some((head, rest)) = path.split_once('.') else {
        map.remove(path);
        return true;
    };
    let Some(Value::Object(inner)) = map.get_mut(head) else {
        return false;
    };
    let reached = remove_path(inner, rest);
    if reached && inner.is_empty() {
        map.remove(head);
    }
    reached
}

/// Whether `raw` looks like `YYYY-MM-DD` optionally followed by `.name` (e.g. `.preview`,
/// `.acacia`), which covers both GA and preview strings.
fn is_well_formed(raw: &str) -> bool {
    let (date, suffix) = raw.split_once('.').unwrap_or((raw, "x"));
    let digits = date.bytes().filter(u8::is_ascii_digit).count();
    date.len() == 10
        && digits == 8
        && date.as_bytes().get(4) == Some(&b'-')
        && date.as_bytes().get(7) == Some(&b'-')
        && !suffix.is_empty()
        && suffix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(header) = parts.headers.get("stripe-version") else {
            return Ok(ApiVersion::preview());
        };
        match header.to_str() {
            Ok(raw) if is_well_formed(raw.trim()) => Ok(ApiVersion(raw.trim().to_owned())),
            _ => Err(ApiError::invalid(format!(
                "Invalid Stripe API version: {}. Send a version such as {DEFAULT_API_VERSION}.",
                String::from_utf8_lossy(header.as_bytes())
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ga_and_preview_versions() {
        assert!(is_well_formed("2026-04-22.preview"));
        assert!(is_well_formed("2025-03-31.basil"));
        assert!(is_well_formed("2024-06-20"));
        assert!(!is_well_formed("latest"));
        assert!(!is_well_formed("2024-06-20."));
        assert!(ApiVersion("2026-04-22.preview".into()).is_preview());
        assert!(!ApiVersion("2025-03-31.basil".into()).is_preview());
    }

    const THING: PreviewFields = PreviewFields {
        object: "thing",
        fields: &["secret_sauce"],
    };

    #[test]
    fn ga_versions_hide_declared_fields_even_deep_inside_captured_json() {
        let ga = ApiVersion("2025-03-31.basil".into());
        let preview = ApiVersion::preview();
        let thing = serde_json::json!({"object": "thing", "id": "t_1", "secret_sauce": 1});
        let mut rendered = thing.clone();
        preview.hide_preview_fields(&mut rendered, &THING);
        assert_eq!(rendered, thing);
        ga.hide_preview_fields(&mut rendered, &THING);
        assert_eq!(
            rendered,
            serde_json::json!({"object": "thing", "id": "t_1"})
        );

        let captured = serde_json::json!({"object": "other", "secret_sauce": "not declared here",
            "things": {"object": "list", "data": [thing]}});
        let mut hidden = captured.clone();
        ga.hide_captured_preview_fields(&mut hidden, &[&THING]);
        assert_eq!(hidden["secret_sauce"], "not declared here");
        assert_eq!(
            hidden["things"]["data"][0],
            serde_json::json!({"object": "thing", "id": "t_1"})
        );
        let mut kept = captured.clone();
        preview.hide_captured_preview_fields(&mut kept, &[&THING]);
        assert_eq!(kept, captured);
    }

    const NESTED: PreviewFields = PreviewFields {
        object: "nested",
        fields: &["details.secret", "deep.er.secret"],
    };

    #[test]
    fn nested_fields_go_with_the_parents_they_leave_empty() {
        let ga = ApiVersion("2026-10-28.endive".into());
        let hide = |mut value: Value| {
            ga.hide_preview_fields(&mut value, &NESTED);
            value
        };
        use serde_json::json;
        assert_eq!(
            hide(json!({"details": {"secret": 1, "public": 2}})),
            json!({"details": {"public": 2}})
        );
        assert_eq!(
            hide(json!({"details": {"secret": 1}, "id": 1})),
            json!({"id": 1})
        );
        // An empty parent is a shell of preview members too.
        assert_eq!(hide(json!({"details": {}, "id": 1})), json!({"id": 1}));
        // A missing intermediate object stops the walk: the parent above it stays.
        assert_eq!(hide(json!({"deep": {}})), json!({"deep": {}}));
        assert_eq!(
            hide(json!({"deep": {"er": {"secret": 1, "kept": 1}}})),
            json!({"deep": {"er": {"kept": 1}}})
        );
        assert_eq!(hide(json!({"deep": {"er": {"secret": 1}}})), json!({}));
    }
}
