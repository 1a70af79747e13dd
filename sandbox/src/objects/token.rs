//! Bank account tokens (`btok_…`) made from payment methods, for Connect payouts. The sandbox
//! does not keep them: a token is rendered once, when it is created.

use serde_json::{Value, json};

use crate::ids;
use crate::objects::account::Account;
use crate::objects::payment_method::{PaymentMethod, TEST_ROUTING_NUMBER};

/// A fresh bank account token for `pm`, made from `account` at `created`.
pub fn to_json(pm: &PaymentMethod, account: &Account, created: i64) -> Value {
    json!({
        "id": ids::new_id("btok"),
        "object": "token",
        "bank_account": {
            "id": ids::new_id("ba"),
            "object": "bank_account",
            "account_holder_name": pm.billing_name,
            "account_holder_type": "individual",
            "account_type": account.subcategory,
            "bank_name": account.institution_name,
            "country": "US",
            "currency": "usd",
            "fingerprint": format!("fp_{}_{}", account.institution, account.last4),
            "last4": account.last4,
            "routing_number": TEST_ROUTING_NUMBER,
            "status": "new",
        },
        "client_ip": null,
        "created": created,
        "livemode": false,
        "type": "bank_account",
        "used": false,
    })
}
