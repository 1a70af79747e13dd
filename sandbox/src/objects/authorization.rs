//! Financial Connections authorizations (`fcauth_…`): the credentials behind a group of
//! accounts at one institution. Relinking repairs an authorization, which is why one relink can
//! bring back every account on it; and a consent with a fixed life expires on the
//! authorization, which is why its accounts share one expected deactivation date.

use relink::model::{AccountStatus, InactiveCause};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::objects::account_holder::AccountHolder;
use crate::objects::status_details::{Inactive, Upcoming};
use crate::store::{Document, Index};
use crate::version::{ApiVersion, PreviewFields};

/// A Financial Connections authorization: the credentials behind a group of accounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorization {
    /// `fcauth_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Owner of its accounts.
    pub account_holder: Option<AccountHolder>,
    /// `fcinst_…`.
    pub institution: String,
    /// Name of the institution.
    pub institution_name: String,
    /// `status`.
    pub status: AccountStatus,
    /// `status_details.inactive`, set while inactive.
    pub inactive: Option<Inactive>,
    /// `status_details.active`, set while active and expected to stop on a date.
    #[serde(default)]
    pub upcoming: Option<Upcoming>,
    /// The expected deactivation date `upcoming_deactivation` was sent for, so that it is sent
    /// once per date. Internal: never rendered.
    #[serde(default)]
    pub announced: Option<i64>,
}

impl Document for Authorization {
    const KIND: &'static str = "financial_connections.authorization";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.account_holder.as_ref().map(AccountHolder::id),
            authorization: Some(&self.id),
            client_secret: None,
        }
    }
}

impl Authorization {
    /// What GA's `FinancialConnections.Authorization` does not have (the seeds' preview
    /// samples do): who holds it, the institution's ID, when it was made, and why it is
    /// inactive (GA says only what to do about it).
    pub const PREVIEW: PreviewFields = PreviewFields {
        object: "financial_connections.authorization",
        fields: &[
            "account_holder",
            "created",
            "institution",
            "status_details.inactive.cause",
        ],
    };

    /// Marks the credentials working again, expected to stop at `upcoming` if they will.
    pub fn reactivate(&mut self, upcoming: Option<Upcoming>) {
        self.status = AccountStatus::Active;
        self.inactive = None;
        self.upcoming = upcoming;
    }

    /// Marks the credentials broken.
    pub fn deactivate(&mut self, cause: InactiveCause) {
        self.status = AccountStatus::Inactive;
        self.inactive = Some(Inactive::because(cause));
        self.upcoming = None;
    }

    /// `status_details`: `inactive` while inactive, `active` while working but expected to
    /// stop, `{}` otherwise.
    pub fn status_details(&self) -> Value {
        let mut details = json!({});
        if let Some(i) = &self.inactive {
            details["inactive"] = json!({"action": i.action, "cause": i.cause});
        }
        if let Some(upcoming) = &self.upcoming {
            details["active"] = json!({
                "action": upcoming.action(),
                "expected_deactivation_date": upcoming.expected_deactivation_date,
            });
        }
        details
    }

    /// The API representation in `version`. The object is preview-only as an endpoint, but GA
    /// readers meet it in the `financial_connections.authorization.*` events.
    pub fn to_json(&self, version: &ApiVersion) -> Value {
        let mut out = json!({
            "id": self.id,
            "object": "financial_connections.authorization",
            "account_holder": AccountHolder::to_json(self.account_holder.as_ref()),
            "created": self.created,
            "institution": self.institution,
            "institution_name": self.institution_name,
            "livemode": false,
            "status": self.status,
            "status_details": self.status_details(),
        });
        version.hide_preview_fields(&mut out, &Authorization::PREVIEW);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ga_has_what_stripes_ga_declaration_has() {
        let mut authorization = Authorization {
            id: "fcauth_1".into(),
            created: 1,
            account_holder: Some(AccountHolder::customer("cus_1")),
            institution: "fcinst_sandbox_bank".into(),
            institution_name: "Sandbox Bank".into(),
            status: AccountStatus::Active,
            inactive: None,
            upcoming: None,
            announced: None,
        };
        let ga = ApiVersion("2026-10-28.endive".into());
        let keys = |v: Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(authorization.to_json(&ga)),
            [
                "id",
                "institution_name",
                "livemode",
                "object",
                "status",
                "status_details"
            ]
        );
        // `status_details` is required in GA, `{}` when there is nothing to say.
        assert_eq!(authorization.to_json(&ga)["status_details"], json!({}));

        authorization.deactivate(InactiveCause::AccessDenied);
        assert_eq!(
            authorization.to_json(&ga)["status_details"],
            json!({"inactive": {"action": "relink_required"}})
        );
        let preview = authorization.to_json(&ApiVersion::preview());
        assert_eq!(
            preview["status_details"]["inactive"]["cause"],
            "access_denied"
        );
        assert_eq!(preview["account_holder"]["customer"], "cus_1");

        authorization.reactivate(Some(Upcoming {
            cause: InactiveCause::AccessExpired,
            expected_deactivation_date: 5,
        }));
        assert_eq!(
            authorization.to_json(&ga)["status_details"],
            json!({"active": {"action": "relink_required", "expected_deactivation_date": 5}})
        );
    }
}
