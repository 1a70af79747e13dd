//! The link-flow contract between the sandbox and the relink component: everything the sandbox
//! answers the browser decodes with the component's own decoders (`relink::decode`), into the
//! values the sandbox's own records say. A field renamed or dropped on either side fails here.

mod common;

use common::Sandbox;
use relink::decode;
use relink::model::{AccountSubcategory, FailureReason, Permission, SessionStatus};
use relink::wire::Authentication;
use serde_json::Value;

const MANIFEST: &str = "/v1/link_account_sessions/manifest";
const AUTHENTICATE: &str = "/v1/link_account_sessions/authenticate";
const COMPLETE: &str = "/v1/link_account_sessions/complete";

/// A session for `customer` as the merchant's server creates it; `extra` adds parameters.
async fn session(sandbox: &Sandbox, customer: &str, extra: &str) -> Value {
    sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=customer&account_holder[customer]={customer}\
                 &permissions[]=payment_method&permissions[]=balances{extra}"
            ),
        )
        .await
        .ok()
}

fn secret(session: &Value) -> String {
    format!(
        "client_secret={}",
        session["client_secret"].as_str().expect("client secret")
    )
}

async fn log_in(sandbox: &Sandbox, secret: &str, institution: &str, extra: &str) -> Authentication {
    let answer = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{secret}&institution={institution}{extra}"),
        )
        .await
        .ok();
    decode::authentication(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"))
}

#[tokio::test]
async fn a_plain_link_decodes_end_to_end() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let created = session(&sandbox, &customer, "&limits[accounts]=2").await;
    let secret = secret(&created);

    let answer = sandbox.browser(MANIFEST, &secret).await.ok();
    let manifest = decode::manifest(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"));
    let summary = &manifest.session.summary;
    assert_eq!(summary.id, created["id"].as_str().unwrap());
    assert_eq!(
        summary.permissions,
        [Permission::PaymentMethod, Permission::Balances]
    );
    assert_eq!(summary.account_limit, Some(2));
    assert_eq!(summary.status, Some(SessionStatus::Pending));
    assert!(manifest.session.raw.get("client_secret").is_none());
    assert_eq!(manifest.merchant_name, "Rocket Rides");
    assert_eq!(manifest.relink, None);
    let banks: Vec<&str> = manifest
        .institutions
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(banks.contains(&"Sandbox Bank") && banks.contains(&"Down Bank"));
    let flags = |name: &str| {
        let bank = manifest
            .institutions
            .iter()
            .find(|i| i.name == name)
            .unwrap();
        (bank.mfa, bank.oauth, bank.down)
    };
    assert_eq!(flags("MFA Bank"), (true, false, false));
    assert_eq!(flags("OAuth Bank"), (false, true, false));
    assert_eq!(flags("Down Bank"), (false, false, true));

    assert!(matches!(
        log_in(&sandbox, &secret, "fcinst_sandbox_bank", "&password=nope").await,
        Authentication::LoginFailed { message: Some(_) }
    ));
    assert_eq!(
        log_in(&sandbox, &secret, "fcinst_mfa_bank", "&password=pass_good").await,
        Authentication::MfaRequired
    );
    assert!(matches!(
        log_in(&sandbox, &secret, "fcinst_down_bank", "&password=pass_good").await,
        Authentication::InstitutionUnavailable { message: Some(_) }
    ));
    let Authentication::Authenticated { accounts } = log_in(
        &sandbox,
        &secret,
        "fcinst_sandbox_bank",
        "&password=pass_good",
    )
    .await
    else {
        panic!("authenticated");
    };
    let card = accounts.iter().find(|a| a.last4 == "1111").unwrap();
    assert_eq!(card.subcategory, Some(AccountSubcategory::CreditCard));
    assert!(
        !card.eligible,
        "a credit card cannot become a payment method"
    );
    assert!(accounts.iter().all(|a| a.existing_account.is_none()));

    let answer = sandbox
        .browser(
            COMPLETE,
            &format!("{secret}&accounts[]=6789&accounts[]=4321"),
        )
        .await
        .ok();
    let finished = decode::session(&answer).unwrap();
    let linked: Vec<&str> = finished
        .summary
        .accounts
        .iter()
        .map(|a| a.last4.as_str())
        .collect();
    assert_eq!(linked, ["6789", "4321"]);
    assert!(finished.summary.accounts[0].id.starts_with("fca_"));
    assert_eq!(finished.summary.status, Some(SessionStatus::Succeeded));
}

#[tokio::test]
async fn a_relink_decodes_with_its_target_and_result() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let linked = sandbox
        .link(&customer, "fcinst_sandbox_bank", &["6789"])
        .await;
    let account = common::account_id(&linked, 0);
    let authorization = sandbox.account(&account).await["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let relink =
        format!("&relink_options[authorization]={authorization}&relink_options[account]={account}");
    let secret = secret(&session(&sandbox, &customer, &relink).await);

    let manifest = decode::manifest(&sandbox.browser(MANIFEST, &secret).await.ok()).unwrap();
    let target = manifest.relink.expect("a relink target");
    assert_eq!(target.institution.name, "Sandbox Bank");
    assert_eq!(
        manifest.institutions,
        std::slice::from_ref(&target.institution)
    );
    let expected = target.account.expect("the exact account");
    assert_eq!(
        (expected.id.as_str(), expected.last4.as_str()),
        (account.as_str(), "6789")
    );
    let options = manifest.session.summary.relink_options.unwrap();
    assert_eq!(options.authorization, authorization);

    let Authentication::Authenticated { accounts } = log_in(
        &sandbox,
        &secret,
        "fcinst_sandbox_bank",
        "&password=pass_good",
    )
    .await
    else {
        panic!("authenticated");
    };
    let known = accounts.iter().find(|a| a.last4 == "6789").unwrap();
    assert_eq!(known.existing_account.as_deref(), Some(account.as_str()));

    let answer = sandbox
        .browser(COMPLETE, &format!("{secret}&accounts[]=4321"))
        .await
        .ok();
    let result = decode::session(&answer).unwrap().summary.relink_result;
    assert_eq!(
        result.and_then(|r| r.failure_reason),
        Some(FailureReason::NoAccount)
    );
}

#[tokio::test]
async fn errors_decode_as_stripe_errors() {
    let sandbox = Sandbox::new();
    let reply = sandbox
        .browser(MANIFEST, "client_secret=fcsess_client_secret_nope")
        .await;
    let error = decode::stripe_error(&reply.json["error"]);
    assert_eq!(error.kind, "invalid_request_error");
    assert_eq!(error.code.as_deref(), Some("resource_missing"));
    assert_eq!(error.param.as_deref(), Some("client_secret"));
    assert!(
        !error.message.contains("nope"),
        "the secret is never echoed"
    );
}
