//! Browser tests of both builds in one module (`--features sandbox-ui`): run in headless Chrome
//! and Firefox with `wasm-bindgen-test-runner` (`./dev test`).
//!
//! The production core runs, as a merchant's page runs it in development, on a Stripe.js
//! instance whose methods are the sandbox flow UI's exports (the drop-in), or on a Stripe.js
//! test double where Stripe.js's own behaviour is the point. The network replays what the real
//! sandbox answered (`tests/fixtures/link_flow.json`, recorded by `sandbox/tests/contract.rs`),
//! so every path is deterministic, no server is needed, and a rule or contract change shows up
//! as a fixture diff; faults no recording can hold (offline, stalls) wrap it.
#![cfg(target_arch = "wasm32")]
// A panicking test is a failing test.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Reflect};
use relink::{
    abort, collect_financial_connections_accounts, confirm_us_bank_account_setup,
    mount_mandate_form, sandbox,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

// A request the network never answers; like fetch, it fails once its signal aborts.
function stall(init) {
  return new Promise((resolve, reject) => {
    const aborted = () => { window.__relinkAborted.push(window.__relinkFetches.length); reject(new DOMException('The operation was aborted.', 'AbortError')); };
    if (init.signal?.aborted) return aborted();
    init.signal?.addEventListener('abort', aborted);
    window.__relinkStalled.push(() => resolve(json(200, { status: 'mfa_required' })));
  });
}

// The network: `window.fetch` is the replay of answers the real sandbox gave (installed from
// Rust, tests/support/replay_fetch.js); this wraps it with what no recording can hold: a network
// that is offline or stops answering, and a confirm that takes a moment (so a double submit
// meets a request in flight). `fault` is 'none', 'offline', 'stall' (nothing is answered) or
// 'stall_after_manifest'.
export function install_faults(fault) {
  const replay = window.fetch;
  window.__relinkFetches = [];
  window.__relinkEvents = [];
  window.__relinkEventObjects = [];
  window.__relinkStalled = [];
  window.__relinkAborted = [];
  window.__relinkFlowEvents = [];
  if (!window.__relinkWatchesFlow) {
    window.__relinkWatchesFlow = true;
    window.addEventListener('relink-sandbox:flow-event', (event) => window.__relinkFlowEvents.push(event.detail));
  }
  window.fetch = async (url, init) => {
    const headers = new Headers(init.headers);
    window.__relinkFetches.push({ url: String(url), body: String(init.body), auth: headers.get('Authorization'), idempotencyKey: headers.get('Idempotency-Key') });
    if (fault === 'offline') throw new TypeError('Failed to fetch');
    const path = new URL(url).pathname;
    if (fault === 'stall' || (fault === 'stall_after_manifest' && !path.endsWith('/manifest'))) return stall(init);
    if (path.endsWith('/confirm')) await new Promise((resolve) => setTimeout(resolve, 30));
    return replay(url, init);
  };
}

export function mandate_page(withButton) {
  const form = document.createElement('form');
  form.dataset.secret = 'seti_1_secret_abc';
  if (withButton) {
    const button = document.createElement('button');
    button.textContent = 'Save bank account';
    form.append(button);
  }
  window.__relinkFormEvents = [];
  form.addEventListener('relink:confirmed', (e) => window.__relinkFormEvents.push(['confirmed', e.detail.setupIntent.status]));
  form.addEventListener('relink:error', (e) => window.__relinkFormEvents.push(['error', e.detail.error.code]));
  form.addEventListener('relink:relinked', (e) => window.__relinkFormEvents.push(['relinked', e.detail.outcome]));
  document.body.append(form);
  return form;
}

export function form_events() { return JSON.stringify(window.__relinkFormEvents); }

export function base_options(extra) {
  return Object.assign({
    clientSecret: 'fcsess_client_secret_TEST',
    onEvent: (event) => { window.__relinkEvents.push(event.type); window.__relinkEventObjects.push(event); },
  }, extra || {});
}

export function event_objects() { return window.__relinkEventObjects.slice(); }
// The sandbox flow UI's own step events (`relink-sandbox:flow-event`), never the merchant's.
export function flow_events() { return window.__relinkFlowEvents.map((event) => event.type); }
export function flow_event_objects() { return window.__relinkFlowEvents.slice(); }

// createRelinkSession as a merchant writes it; `fails` plays their server being down.
export function relink_session_creator(fails) {
  window.__relinkSessionsCreated = 0;
  return () => {
    window.__relinkSessionsCreated += 1;
    return fails ? Promise.reject(new Error('server down')) : Promise.resolve('fcsess_client_secret_RELINK');
  };
}
export function relink_sessions_created() { return window.__relinkSessionsCreated; }

// A Stripe.js test double with the documented shapes: both methods resolve `{<result>}` or
// `{error}`, and `accounts` is an array. `mode` picks what the customer does in Stripe's modal.
export function fake_stripe(mode) {
  const stripe = { calls: [], confirmFailures: mode === 'inactive_once' ? 1 : 0 };
  const session = (extra) => Object.assign({
    id: 'fcsess_stripe', object: 'financial_connections.session', livemode: false, accounts: [],
  }, extra);
  const account = { id: 'fca_6789', object: 'financial_connections.account', last4: '6789', display_name: 'Checking', status: 'active' };
  const relinkOptions = { authorization: 'fcauth_1', account: 'fca_6789' };
  stripe.collectFinancialConnectionsAccounts = (params) => {
    stripe.calls.push(['collect', params.clientSecret]);
    if (mode === 'pending') return new Promise((resolve) => { stripe.finish = () => resolve({ financialConnectionsSession: session({}) }); });
    if (mode === 'throws') throw new Error('Stripe.js is not loaded');
    const answers = {
      relinked: { financialConnectionsSession: session({ accounts: [account], relink_options: relinkOptions, relink_result: { account: 'fca_6789', authorization: 'fcauth_1', failure_reason: null } }) },
      inactive_once: { financialConnectionsSession: session({ accounts: [account], relink_options: relinkOptions, relink_result: { account: 'fca_6789', authorization: 'fcauth_1', failure_reason: null } }) },
      no_account: { financialConnectionsSession: session({ relink_options: relinkOptions, relink_result: { account: null, authorization: null, failure_reason: 'no_account' } }) },
      error: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such session.', param: 'client_secret', doc_url: 'https://stripe.com/docs/error-codes/resource-missing' } },
      // Stripe.js renders the GA version: no relink fields at all.
      ga: { financialConnectionsSession: session({ accounts: [Object.assign({}, account, { id: 'fca_other' })] }) },
    };
    return new Promise((resolve) => setTimeout(() => resolve(answers[mode]), 10));
  };
  stripe.confirmUsBankAccountSetup = (clientSecret) => {
    stripe.calls.push(['confirm', clientSecret]);
    if (stripe.confirmFailures > 0) {
      stripe.confirmFailures -= 1;
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'financial_connections_account_inactive', message: 'Inactive.', param: null } });
    }
    return Promise.resolve({ setupIntent: { id: 'seti_1', object: 'setup_intent', status: 'succeeded', payment_method: 'pm_1' } });
  };
  return stripe;
}

// The merchant's fetchSession: their server retrieves the session in the preview version.
export function fetch_session_hook() {
  window.__relinkFetchedSessions = [];
  return (id) => {
    window.__relinkFetchedSessions.push(id);
    return Promise.resolve({
      id, object: 'financial_connections.session',
      accounts: { object: 'list', data: [{ id: 'fca_other' }], has_more: false },
      relink_options: { authorization: 'fcauth_1', account: null },
      relink_result: { account: null, authorization: 'fcauth_1', failure_reason: null },
      status: 'succeeded',
    });
  };
}
export function fetched_sessions() { return window.__relinkFetchedSessions.slice(); }

export function events() { return window.__relinkEvents.slice(); }
export function stalled_requests() { return window.__relinkStalled.length; }
export function aborted_requests() { return window.__relinkAborted.length; }
// Lets every stalled request answer, as a network that comes back late would.
export function answer_stalled_requests() { window.__relinkStalled.splice(0).forEach((answer) => answer()); }
export function fetches() { return window.__relinkFetches.slice(); }

export function press(target, key, shiftKey) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey: !!shiftKey, bubbles: true, composed: true, cancelable: true }));
}

export function type_into(input, value) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}
"#)]
extern "C" {
    fn install_faults(fault: &str);
    fn base_options(extra: JsValue) -> JsValue;
    fn flow_events() -> Array;
    fn flow_event_objects() -> Array;
    fn events() -> Array;
    fn fetches() -> Array;
    fn press(target: &Element, key: &str, shift: bool);
    fn type_into(input: &HtmlInputElement, value: &str);
    fn mandate_page(with_button: bool) -> web_sys::HtmlFormElement;
    fn form_events() -> String;
    fn event_objects() -> Array;
    fn relink_session_creator(fails: bool) -> JsValue;
    fn relink_sessions_created() -> u32;
    fn fake_stripe(mode: &str) -> JsValue;
    fn fetch_session_hook() -> JsValue;
    fn fetched_sessions() -> Array;
    fn stalled_requests() -> u32;
    fn aborted_requests() -> u32;
    fn answer_stalled_requests();
}

#[wasm_bindgen(module = "/tests/support/replay_fetch.js")]
extern "C" {
    fn install_replay(scenario: &str, fixtures_json: &str);
}

/// What the real sandbox answered, per scenario, recorded by `sandbox/tests/contract.rs`.
const RECORDED: &str = include_str!("fixtures/link_flow.json");

/// Replaces `window.fetch` with the recorded answers of `scenarios`, merged (a test that opens
/// two flows, or logs in and then closes, replays what each did), wrapped with `fault`.
fn replay_with(scenarios: &[&str], fault: &str) {
    let recorded: serde_json::Value = serde_json::from_str(RECORDED).unwrap();
    let mut exchanges = Vec::new();
    for scenario in scenarios {
        let taken = &recorded["scenarios"][scenario]["exchanges"];
        exchanges.extend(
            taken
                .as_array()
                .unwrap_or_else(|| panic!("no scenario {scenario}"))
                .clone(),
        );
    }
    // Bank and account names are untrusted text; the sandbox's own are tame, so one is made
    // hostile here to prove it is rendered as text.
    for exchange in &mut exchanges {
        for account in exchange["body"]["accounts"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if account["last4"] == "1111" {
                account["display_name"] = "Credit card <b>x</b>".into();
            }
        }
    }
    let merged = serde_json::json!({"scenarios": {"test": {"exchanges": exchanges}}});
    install_replay("test", &merged.to_string());
    install_faults(fault);
}

/// Replays `scenarios` on a network that answers.
fn replay(scenarios: &[&str]) {
    replay_with(scenarios, "none");
}

// ---- helpers -------------------------------------------------------------------------------

/// The drop-in's settings for one `Stripe(pk, {locale})` instance, as its loader passes them.
fn settings(locale: &str, request_timeout: Option<f64>) -> JsValue {
    let settings = js_sys::Object::new();
    Reflect::set(&settings, &"publishableKey".into(), &"pk_test_123".into()).unwrap();
    Reflect::set(&settings, &"apiBase".into(), &"https://sandbox.test".into()).unwrap();
    Reflect::set(&settings, &"locale".into(), &locale.into()).unwrap();
    if let Some(ms) = request_timeout {
        Reflect::set(&settings, &"requestTimeout".into(), &ms.into()).unwrap();
    }
    settings.into()
}

/// A Stripe.js instance whose methods are the sandbox flow UI's exports, as the drop-in's
/// loader (`pkg/stripe.js`) makes it.
fn drop_in(settings: JsValue) -> JsValue {
    type Method = dyn FnMut(JsValue, JsValue) -> Result<js_sys::Promise, JsValue>;
    type Export = fn(JsValue, JsValue, JsValue) -> Result<js_sys::Promise, JsValue>;
    let stripe = js_sys::Object::new();
    let methods: [(&str, Export); 3] = [
        ("collectFinancialConnectionsAccounts", |s, p, _| {
            sandbox::collect_financial_connections_accounts(s, p)
        }),
        (
            "confirmUsBankAccountSetup",
            sandbox::confirm_us_bank_account_setup,
        ),
        ("collectBankAccountToken", |s, p, _| {
            sandbox::collect_bank_account_token(s, p)
        }),
    ];
    for (name, method) in methods {
        let settings = settings.clone();
        let call =
            Closure::<Method>::new(move |first, second| method(settings.clone(), first, second));
        Reflect::set(&stripe, &name.into(), &call.into_js_value()).unwrap();
    }
    stripe.into()
}

/// The options of a call on the drop-in in English, plus `extra`.
fn options(extra: JsValue) -> JsValue {
    options_on(drop_in(settings("en", None)), extra)
}

/// The options of a call on `stripe`, plus `extra`.
fn options_on(stripe: JsValue, extra: JsValue) -> JsValue {
    let options = base_options(extra);
    if get(&options, &["stripe"]).is_undefined() {
        Reflect::set(&options, &"stripe".into(), &stripe).unwrap();
    }
    options
}

/// Closes the sandbox's open flow, as the customer pressing Close does (the production core's
/// `abort()` cannot close Stripe.js's modal, nor the drop-in's).
fn close_flow() {
    sandbox::close_flow();
}

fn flow_event_types() -> Vec<String> {
    flow_events().iter().filter_map(|e| e.as_string()).collect()
}

/// `collectFinancialConnectionsAccounts`, awaited; it never rejects.
async fn collect(options: JsValue) -> JsValue {
    JsFuture::from(collect_financial_connections_accounts(options))
        .await
        .expect("collectFinancialConnectionsAccounts never rejects")
}

/// A flow running in the background; `result()` waits for it to settle.
struct Running(Rc<RefCell<Option<JsValue>>>);

impl Running {
    fn start(options: JsValue) -> Running {
        let slot = Rc::new(RefCell::new(None));
        let writer = Rc::clone(&slot);
        spawn_local(async move {
            let result = collect(options).await;
            assert!(writer.borrow().is_none(), "settled twice");
            *writer.borrow_mut() = Some(result);
        });
        Running(slot)
    }

    fn settled(&self) -> bool {
        self.0.borrow().is_some()
    }

    async fn result(&self) -> JsValue {
        wait_until("the flow settles", || self.settled()).await;
        self.0.borrow().clone().unwrap()
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn host() -> Option<Element> {
    document().get_element_by_id("relink-modal")
}

fn shadow() -> ShadowRoot {
    host()
        .expect("modal open")
        .shadow_root()
        .expect("open shadow root")
}

fn find(test_id: &str) -> Option<HtmlElement> {
    let root = host()?.shadow_root()?;
    let nodes = root.query_selector_all("[data-testid]").ok()?;
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .find(|element| element.get_attribute("data-testid").as_deref() == Some(test_id))
}

/// Waits, polling every 10 ms for up to 3 s, until `condition` holds. Tests wait for what they
/// expect to see, never for a fixed time.
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..300 {
        if condition() {
            return;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting until {what}");
}

/// Waits until the element with `test_id` is rendered.
async fn wait_for(test_id: &str) -> HtmlElement {
    wait_until(test_id, || find(test_id).is_some()).await;
    find(test_id).unwrap()
}

/// Picks the account option `test_id` and waits for the list to show it picked (which enables
/// the submit button).
async fn select(test_id: &str) {
    click(test_id).await;
    wait_until("the picked account is rendered", || {
        let picked = find(test_id)
            .and_then(|option| option.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|option| option.checked());
        picked && find("accounts-submit").is_some_and(|submit| !submit.has_attribute("disabled"))
    })
    .await;
}

async fn click(test_id: &str) {
    wait_for(test_id).await.click();
}

async fn fill(test_id: &str, value: &str) {
    let input: HtmlInputElement = wait_for(test_id).await.dyn_into().unwrap();
    input.set_value(value);
}

fn get(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |value, key| {
        Reflect::get(&value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    })
}

/// `confirmUsBankAccountSetup` as a page calls it: what its promise resolves.
async fn confirm_setup(client_secret: JsValue, options: JsValue) -> JsValue {
    JsFuture::from(confirm_us_bank_account_setup(client_secret, options))
        .await
        .unwrap()
}

fn string(value: &JsValue, path: &[&str]) -> Option<String> {
    get(value, path).as_string()
}

/// A result that could not launch: Stripe's error with `code`, and never a session beside it.
fn assert_could_not_launch(result: &JsValue, code: &str) {
    assert_eq!(
        string(result, &["outcome"]).as_deref(),
        Some("could_not_launch")
    );
    assert_eq!(string(result, &["error", "code"]).as_deref(), Some(code));
    assert!(get(result, &["financialConnectionsSession"]).is_undefined());
}

/// A relink that ran and failed: `outcome` and the session's own `relink_result` agree.
fn assert_relink_failed(result: &JsValue, reason: &str) {
    assert_eq!(string(result, &["outcome"]).as_deref(), Some(reason));
    let failure_reason = &[
        "financialConnectionsSession",
        "relink_result",
        "failure_reason",
    ];
    assert_eq!(string(result, failure_reason).as_deref(), Some(reason));
}

fn event_types() -> Vec<String> {
    events().iter().filter_map(|e| e.as_string()).collect()
}

async fn log_in_to_sandbox_bank() {
    click("consent-continue").await;
    click("institution-fcinst_sandbox_bank").await;
    fill("login-password", "pass_good").await;
    click("login-submit").await;
}

// ---- tests ---------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn renders_an_accessible_dialog_in_its_own_shadow_root() {
    replay(&["plain_closed"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    let continue_button = wait_for("consent-continue").await;

    let host = host().unwrap();
    assert_eq!(host.parent_element(), document().body().map(Into::into));
    assert!(
        document()
            .query_selector("[data-testid=consent-continue]")
            .unwrap()
            .is_none(),
        "the modal's content lives in the shadow root only"
    );
    let root = shadow();
    let dialog = root.query_selector("[role=dialog]").unwrap().unwrap();
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = root.get_element_by_id(&title_id).unwrap();
    assert_eq!(
        title.text_content().as_deref(),
        Some("Rocket Rides uses Stripe to link your accounts")
    );
    let styled = Reflect::get(&root, &"adoptedStyleSheets".into())
        .ok()
        .and_then(|sheets| sheets.dyn_into::<Array>().ok())
        .is_some_and(|sheets| sheets.length() == 1);
    assert!(
        styled,
        "styles come from an adopted stylesheet, not inline styles"
    );
    assert!(root.query_selector("[style]").unwrap().is_none());
    let live = root.query_selector("[aria-live=polite]").unwrap().unwrap();
    assert!(
        live.text_content()
            .unwrap_or_default()
            .contains("Rocket Rides")
    );
    assert!(
        root.active_element().is_some(),
        "focus moved into the dialog"
    );
    assert!(continue_button.text_content().unwrap().contains("Agree"));

    let body = document().body().unwrap();
    assert_eq!(
        body.style().get_property_value("overflow").unwrap(),
        "hidden",
        "the page behind does not scroll"
    );
    close_flow();
    let result = flow.result().await;
    assert!(
        host.parent_element().is_none(),
        "the host is removed on close"
    );
    assert_eq!(body.style().get_property_value("overflow").unwrap(), "");
    assert_eq!(string(&result, &["outcome"]).as_deref(), Some("no_account"));
}

#[wasm_bindgen_test]
async fn plain_link_resolves_with_a_flat_session_and_a_new_account() {
    replay(&["plain_link"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    log_in_to_sandbox_bank().await;

    let card: HtmlInputElement = wait_for("account-1111").await.dyn_into().unwrap();
    assert!(card.disabled(), "ineligible accounts are shown disabled");
    assert_eq!(
        card.type_(),
        "radio",
        "limits.accounts = 1 makes a radio group"
    );
    // Untrusted names go in as text, not markup.
    assert!(shadow().query_selector("b").unwrap().is_none());
    let submit = wait_for("accounts-submit").await;
    assert!(submit.has_attribute("disabled"), "nothing selected yet");

    select("account-6789").await;
    click("accounts-submit").await;
    click("done").await;
    let result = flow.result().await;

    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("linked_new_account")
    );
    assert_eq!(get(&result, &["isNew"]), JsValue::TRUE);
    assert!(get(&result, &["error"]).is_undefined());
    let accounts = get(&result, &["financialConnectionsSession", "accounts"]);
    assert!(Array::is_array(&accounts), "accounts flattened to an array");
    assert_eq!(string(&accounts, &["0", "id"]).as_deref(), Some("fca_6789"));
    // The merchant hears what can be observed around Stripe.js, with the result's details.
    assert_eq!(event_types(), ["open", "success", "close"]);
    let success = event_objects().get(1);
    assert_eq!(
        string(&success, &["outcome"]).as_deref(),
        Some("linked_new_account")
    );
    assert_eq!(get(&success, &["isNew"]), JsValue::TRUE);
    // The steps are the sandbox's own events, announced on `window`, never to `onEvent`.
    assert_eq!(
        flow_event_types(),
        [
            "open",
            "consent_acquired",
            "institution_selected",
            "institution_authorized",
            "accounts_selected",
            "success",
            "close"
        ]
    );
    let details = flow_event_objects();
    let institution = details.get(2);
    assert_eq!(
        string(&institution, &["institution", "id"]).as_deref(),
        Some("fcinst_sandbox_bank")
    );
    assert_eq!(
        string(&institution, &["institution", "name"]).as_deref(),
        Some("Sandbox Bank")
    );
    let selected = details.get(4);
    assert_eq!(
        string(&selected, &["accounts", "0", "last4"]).as_deref(),
        Some("6789")
    );
    assert_eq!(
        string(&selected, &["accounts", "0", "subcategory"]).as_deref(),
        Some("checking")
    );
    assert_eq!(Array::from(&get(&selected, &["accounts"])).length(), 1);
    assert!(get(&details.get(0), &["institution"]).is_undefined());
    for request in fetches().iter() {
        let url = string(&request, &["url"]).unwrap();
        assert!(url.starts_with("https://sandbox.test/v1/link_account_sessions/"));
        assert!(
            !url.contains("secret"),
            "the client secret never goes in a URL"
        );
        assert!(
            string(&request, &["body"])
                .unwrap()
                .contains("client_secret=fcsess_client_secret_TEST")
        );
        assert_eq!(
            string(&request, &["auth"]).as_deref(),
            Some("Bearer pk_test_123")
        );
    }
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn mfa_and_failed_login_show_errors_in_place() {
    replay(&["mfa", "plain_closed"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    click("consent-continue").await;
    let search: HtmlInputElement = wait_for("institution-search").await.dyn_into().unwrap();
    type_into(&search, "mfa");
    wait_until("search filters institutions", || {
        find("institution-fcinst_sandbox_bank").is_none()
    })
    .await;
    assert!(find("institution-fcinst_mfa_bank").is_some());
    assert_eq!(
        shadow().active_element(),
        Some(search.clone().into()),
        "typing keeps focus"
    );
    click("institution-fcinst_mfa_bank").await;
    wait_for("login-password").await;
    click("back").await;
    wait_for("institution-search").await;
    click("institution-fcinst_mfa_bank").await;

    fill("login-password", "wrong").await;
    click("login-submit").await;
    let error = wait_for("error-message").await;
    assert!(error.text_content().unwrap().contains("not accepted"));
    let password = wait_for("login-password").await;
    assert_eq!(
        password.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    fill("login-password", "pass_good").await;
    click("login-submit").await;
    fill("mfa-code", "123456").await;
    click("mfa-submit").await;
    wait_for("account-4321").await;
    // Closing after authenticating still finishes the session, with nothing linked.
    click("close").await;
    let result = flow.result().await;
    assert_eq!(string(&result, &["outcome"]).as_deref(), Some("no_account"));
    assert_eq!(get(&result, &["isNew"]), JsValue::NULL);
    assert!(event_types().contains(&"cancel".to_owned()));
}

#[wasm_bindgen_test]
async fn exact_relink_rejects_the_wrong_account_then_relinks_the_expected_one() {
    replay(&["exact_relink"]);
    let existing = options(JsValue::UNDEFINED);
    Reflect::set(
        &existing,
        &"existingAccountIds".into(),
        &Array::of1(&"fca_6789".into()),
    )
    .unwrap();
    let flow = Running::start(existing);
    wait_for("consent-continue").await;
    let title = shadow().get_element_by_id("relink-title").unwrap();
    assert_eq!(
        title.text_content().as_deref(),
        Some("Reconnect your Sandbox Bank account")
    );
    // No institution search for relinks: consent leads straight to the bank's login.
    click("consent-continue").await;
    fill("login-password", "pass_good").await;
    assert!(
        wait_for("back").await.hidden(),
        "a relink's institution is fixed"
    );
    click("login-submit").await;

    select("account-4321").await;
    click("accounts-submit").await;
    let error = wait_for("error-message").await;
    assert!(error.text_content().unwrap().contains("ending in 6789"));
    click("wrong-account-retry").await;
    select("account-6789").await;
    click("accounts-submit").await;
    click("done").await;

    let result = flow.result().await;
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("relinked_expected_account")
    );
    assert_eq!(get(&result, &["isNew"]), JsValue::FALSE);
    assert_eq!(
        string(
            &result,
            &["financialConnectionsSession", "relink_result", "account"]
        )
        .as_deref(),
        Some("fca_6789")
    );
}

#[wasm_bindgen_test]
async fn oauth_bank_window_lists_the_accounts_and_exact_relink_still_checks_them() {
    replay(&["oauth_relink"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    click("consent-continue").await;
    click("oauth-authorize").await;

    let choice: HtmlInputElement = wait_for("account-4321").await.dyn_into().unwrap();
    let window = shadow()
        .query_selector("[role=dialog] .bank-window")
        .unwrap()
        .expect("the bank window stays inside the dialog");
    assert!(
        window.contains(Some(&choice)),
        "accounts are chosen at the bank"
    );
    assert!(find("oauth-authorize").is_none());
    let title = shadow().get_element_by_id("relink-title").unwrap();
    assert!(window.contains(Some(&title)));
    assert_eq!(
        title.text_content().as_deref(),
        Some("OAuth Bank — choose the accounts to share with Rocket Rides")
    );
    assert_eq!(
        shadow().active_element(),
        Some(title.clone()),
        "focus moves to the bank window's heading"
    );
    assert!(
        choice.closest("label").unwrap().is_some(),
        "inputs are labelled"
    );
    let card: HtmlInputElement = wait_for("account-1111").await.dyn_into().unwrap();
    assert!(
        card.disabled(),
        "the same eligibility rules as relink's screen"
    );
    let fetched = fetches();
    let authenticate = fetched.get(fetched.length() - 1);
    assert!(
        !string(&authenticate, &["body"])
            .unwrap()
            .contains("password")
    );

    select("account-4321").await;
    click("accounts-submit").await;
    let error = wait_for("error-message").await;
    assert!(error.text_content().unwrap().contains("ending in 6789"));
    click("wrong-account-retry").await;
    let expected: HtmlInputElement = wait_for("account-6789").await.dyn_into().unwrap();
    assert!(window_of(&expected), "trying again reopens the bank's list");
    assert!(!expected.checked());
    select("account-6789").await;
    click("accounts-submit").await;
    click("done").await;

    let result = flow.result().await;
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("relinked_expected_account")
    );
    assert!(flow_event_types().contains(&"accounts_selected".to_owned()));
}

/// Whether `element` is in the bank's OAuth window.
fn window_of(element: &Element) -> bool {
    element.closest(".bank-window").ok().flatten().is_some()
}

#[wasm_bindgen_test]
async fn relink_closed_before_login_is_no_authorization() {
    replay(&["exact_relink_closed_before_login"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    wait_for("consent-continue").await;
    press(&shadow().active_element().unwrap(), "Escape", false);
    let result = flow.result().await;
    assert_relink_failed(&result, "no_authorization");
    let accounts: Array = get(&result, &["financialConnectionsSession", "accounts"])
        .dyn_into()
        .unwrap();
    assert_eq!(accounts.length(), 0);
}

#[wasm_bindgen_test]
async fn tab_wraps_inside_and_escape_returns_focus_to_the_trigger() {
    replay(&["plain_closed"]);
    let trigger: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&trigger).unwrap();
    trigger.focus().unwrap();

    let flow = Running::start(options(JsValue::UNDEFINED));
    let last = wait_for("consent-continue").await;
    let first = wait_for("close").await;
    let root = shadow();

    last.focus().unwrap();
    press(&last, "Tab", false);
    assert_eq!(
        root.active_element(),
        Some(first.clone().into()),
        "Tab wraps to the first"
    );
    press(&first, "Tab", true);
    assert_eq!(
        root.active_element(),
        Some(last.clone().into()),
        "Shift+Tab wraps to the last"
    );

    // Focus lost to the page (a click on the scrim) is pulled back in, and Escape still works.
    // The trigger is inert while the modal is open, so focus can only fall back to the body.
    trigger.focus().unwrap();
    assert_ne!(
        document().active_element(),
        Some(trigger.clone().into()),
        "the inert page cannot take focus"
    );
    last.blur().unwrap();
    press(&document().body().unwrap(), "Tab", false);
    assert_eq!(
        root.active_element(),
        Some(first.clone().into()),
        "Tab from outside comes back in"
    );
    press(&document().body().unwrap(), "Escape", false);
    flow.result().await;
    assert!(host().is_none());
    assert_eq!(
        document().active_element(),
        Some(trigger.clone().into()),
        "focus returns to the trigger"
    );
    trigger.remove();
}

#[wasm_bindgen_test]
async fn the_modal_is_on_the_page_when_the_call_returns() {
    replay(&["plain_closed", "plain_closed"]);
    // The drop-in's method, as Stripe.js's: the modal opens within the call.
    let pending = sandbox::collect_financial_connections_accounts(
        settings("en", None),
        options(JsValue::UNDEFINED),
    )
    .unwrap();
    let modal = host().expect("the modal opens within the call, before any task runs");
    assert!(
        modal
            .shadow_root()
            .and_then(|root| root.query_selector("[aria-busy=true]").ok().flatten())
            .is_some(),
        "it shows its loading state"
    );
    assert!(
        flow_event_types().is_empty(),
        "no event is announced from inside the call"
    );
    close_flow();
    let result = JsFuture::from(pending).await.unwrap();
    assert!(string(&result, &["error"]).is_none());
    assert!(string(&result, &["financialConnectionsSession", "id"]).is_some());
    assert_eq!(flow_event_types().first().map(String::as_str), Some("open"));
    assert!(host().is_none());

    // The production core on the drop-in calls `onEvent` only after its own call returned.
    let pending = collect_financial_connections_accounts(options(JsValue::UNDEFINED));
    assert!(
        event_types().is_empty(),
        "onEvent is never called from inside the call"
    );
    wait_for("consent-continue").await;
    close_flow();
    JsFuture::from(pending).await.unwrap();
    assert_eq!(event_types(), ["open", "cancel", "close"]);
}

#[wasm_bindgen_test]
async fn the_page_behind_the_modal_is_inert_until_it_closes() {
    replay(&["plain_closed"]);
    let body = document().body().unwrap();
    let page = document().create_element("main").unwrap();
    let already_inert = document().create_element("aside").unwrap();
    already_inert.set_attribute("inert", "").unwrap();
    body.append_child(&page).unwrap();
    body.append_child(&already_inert).unwrap();

    let flow = Running::start(options(JsValue::UNDEFINED));
    wait_for("consent-continue").await;
    assert!(page.has_attribute("inert"), "the page cannot be reached");
    assert!(already_inert.has_attribute("inert"));
    assert!(
        !host().unwrap().has_attribute("inert"),
        "the modal itself stays reachable"
    );

    close_flow();
    flow.result().await;
    assert!(!page.has_attribute("inert"), "closing gives the page back");
    assert!(
        already_inert.has_attribute("inert"),
        "what the page made inert itself stays inert"
    );
    page.remove();
    already_inert.remove();
}

#[wasm_bindgen_test]
async fn one_flow_at_a_time_and_exactly_once_settlement() {
    replay(&["plain_closed", "plain_closed"]);
    let first = Running::start(options(JsValue::UNDEFINED));
    let stale_button = wait_for("consent-continue").await;

    let second = collect(options(JsValue::UNDEFINED)).await;
    assert_could_not_launch(&second, "flow_already_open");
    assert_eq!(
        string(&second, &["error", "type"]).as_deref(),
        Some("invalid_request_error")
    );
    assert_eq!(
        document()
            .query_selector_all("#relink-modal")
            .unwrap()
            .length(),
        1,
        "no second modal"
    );
    assert!(!first.settled());

    close_flow();
    close_flow();
    first.result().await;
    let events_after_close = event_types();
    let requests_after_close = fetches().length();
    assert_eq!(
        events_after_close.iter().filter(|e| *e == "close").count(),
        1
    );

    // Listeners died with the modal: a click on a detached button does nothing. The page may
    // open a new flow, and by the time it shows, the click has had every chance to act.
    stale_button.click();
    let third = Running::start(options(JsValue::UNDEFINED));
    wait_for("consent-continue").await;
    let mut expected_events = events_after_close;
    expected_events.push("open".into());
    assert_eq!(event_types(), expected_events, "only the new flow's open");
    assert_eq!(
        fetches().length(),
        requests_after_close + 1,
        "only the new flow's manifest"
    );
    close_flow();
    third.result().await;
}

#[wasm_bindgen_test]
async fn errors_are_stripe_shaped_and_never_leave_a_modal() {
    replay(&["used_session"]);
    let result = Running::start(options(JsValue::UNDEFINED)).result().await;
    assert_could_not_launch(&result, "token_already_used");
    assert_eq!(
        get(&result, &["error", "param"]),
        JsValue::NULL,
        "the sandbox names no param for a used session"
    );
    assert!(host().is_none());
    assert_eq!(event_types(), ["open", "error", "close"]);
    assert_eq!(
        string(&event_objects().get(1), &["error", "code"]).as_deref(),
        Some("token_already_used")
    );

    replay_with(&[], "offline");
    let result = Running::start(options(JsValue::UNDEFINED)).result().await;
    assert_eq!(
        string(&result, &["error", "type"]).as_deref(),
        Some("api_connection_error")
    );

    let missing = options(JsValue::UNDEFINED);
    Reflect::delete_property(&missing.clone().into(), &"clientSecret".into()).unwrap();
    let result = collect(missing).await;
    assert_eq!(
        string(&result, &["error", "code"]).as_deref(),
        Some("parameter_missing")
    );
    assert_eq!(
        string(&result, &["error", "param"]).as_deref(),
        Some("clientSecret")
    );
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn institution_down_ends_in_a_failure_screen() {
    replay(&["down_bank"]);
    let flow = Running::start(options(JsValue::UNDEFINED));
    click("consent-continue").await;
    click("institution-fcinst_down_bank").await;
    fill("login-password", "pass_good").await;
    click("login-submit").await;
    let error = wait_for("error-message").await;
    assert!(
        error
            .text_content()
            .unwrap()
            .contains("Down Bank is unavailable")
    );
    click("done").await;
    let result = flow.result().await;
    assert!(
        get(&result, &["error"]).is_undefined(),
        "giving up is not an error"
    );
}

#[wasm_bindgen_test]
async fn speaks_japanese_and_german() {
    for (locale, agree) in [("ja", "同意して続行"), ("de", "Zustimmen und fortfahren")] {
        replay(&["plain_closed"]);
        // `Stripe(pk, {locale})`: the drop-in speaks the instance's language.
        let localized = options_on(drop_in(settings(locale, None)), JsValue::UNDEFINED);
        let flow = Running::start(localized);
        let button = wait_for("consent-continue").await;
        assert_eq!(button.text_content().as_deref(), Some(agree));
        let dialog = shadow().query_selector("[role=dialog]").unwrap().unwrap();
        assert_eq!(dialog.get_attribute("lang").as_deref(), Some(locale));
        assert_eq!(
            host().unwrap().get_attribute("data-layout").as_deref(),
            Some("modal")
        );
        close_flow();
        flow.result().await;
    }
}

fn mandate_options() -> JsValue {
    mandate_options_on(drop_in(settings("en", None)))
}

fn mandate_options_on(stripe: JsValue) -> JsValue {
    let options = js_sys::Object::new();
    Reflect::set(&options, &"stripe".into(), &stripe).unwrap();
    Reflect::set(&options, &"merchantName".into(), &"Rocket Rides".into()).unwrap();
    Reflect::set(&options, &"locale".into(), &"en".into()).unwrap();
    options.into()
}

fn in_form(form: &web_sys::HtmlFormElement, test_id: &str) -> HtmlElement {
    form.query_selector(&format!("[data-testid={test_id}]"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn mandate_form_prevents_duplicates_and_recovers_from_errors() {
    replay(&["setup_intent_inactive_then_relinked"]);
    let form = mandate_page(true);
    let mut handle = mount_mandate_form(form.clone(), mandate_options()).unwrap();
    let text = in_form(&form, "mandate-text").text_content().unwrap();
    assert!(text.starts_with("By clicking Save bank account, you authorize Rocket Rides"));
    let button: web_sys::HtmlButtonElement = form
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();

    form.request_submit().unwrap();
    form.request_submit().unwrap();
    assert!(button.disabled(), "disabled while in flight");
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    assert_eq!(fetches().length(), 1, "one request for a double submit");
    let error = in_form(&form, "mandate-error");
    assert!(!error.hidden());
    assert!(error.text_content().unwrap().contains("inactive"));
    assert!(!button.disabled(), "re-enabled after an error");

    button.click();
    wait_for_form_events(
        r#"[["error","financial_connections_account_inactive"],["confirmed","succeeded"]]"#,
    )
    .await;
    assert_eq!(fetches().length(), 2);
    assert!(error.hidden());
    assert!(button.disabled(), "stays disabled once confirmed");
    assert_eq!(
        form_events(),
        r#"[["error","financial_connections_account_inactive"],["confirmed","succeeded"]]"#
    );
    let requests = fetches();
    let first = requests.get(0);
    let second = requests.get(1);
    assert_ne!(
        string(&first, &["idempotencyKey"]),
        string(&second, &["idempotencyKey"]),
        "one idempotency key per attempt"
    );
    assert!(string(&first, &["idempotencyKey"]).is_some());
    assert_eq!(
        string(&first, &["url"]).as_deref(),
        Some("https://sandbox.test/v1/setup_intents/seti_1/confirm")
    );
    let body = string(&first, &["body"]).unwrap();
    assert!(body.contains("client_secret=seti_1_secret_abc"));
    assert!(body.contains("mandate_data%5Bcustomer_acceptance%5D%5Btype%5D=online"));

    handle.unmount();
    handle.unmount();
    assert!(form.query_selector(".relink-mandate").unwrap().is_none());
    form.remove();
}

#[wasm_bindgen_test]
async fn mandate_form_brings_its_own_button_and_rejects_bad_options() {
    replay(&["setup_intent_confirm"]);
    let form = mandate_page(false);
    // The form keeps working when the page drops its handle.
    drop(mount_mandate_form(form.clone(), mandate_options()).unwrap());
    let submit = in_form(&form, "mandate-submit");
    assert!(
        in_form(&form, "mandate-text")
            .text_content()
            .unwrap()
            .contains("By clicking Accept and save")
    );
    submit.click();
    wait_for_form_events(r#"[["confirmed","succeeded"]]"#).await;
    assert_eq!(
        in_form(&form, "mandate-status").text_content().as_deref(),
        Some("Your bank account is saved.")
    );
    form.remove();

    let bad = mandate_page(false);
    bad.set_attribute("data-secret", "fcsess_client_secret_x")
        .unwrap();
    assert!(mount_mandate_form(bad.clone(), mandate_options()).is_err());
    bad.remove();

    // The account the mandate debits is shown above the text that speaks of it.
    let form = mandate_page(true);
    let account = js_sys::Object::new();
    Reflect::set(&account, &"bankName".into(), &"Sandbox Bank".into()).unwrap();
    Reflect::set(&account, &"last4".into(), &"6789".into()).unwrap();
    let mut handle = mount_mandate_form(
        form.clone(),
        with(mandate_options(), "bankAccount", &account),
    )
    .unwrap();
    assert_eq!(
        in_form(&form, "mandate-account").text_content().as_deref(),
        Some("Sandbox Bank account ending in 6789")
    );
    let text = in_form(&form, "mandate-text").text_content().unwrap();
    assert!(text.starts_with("Sandbox Bank account ending in 6789By clicking"));
    handle.unmount();
    let half = js_sys::Object::new();
    Reflect::set(&half, &"last4".into(), &"6789".into()).unwrap();
    assert!(
        mount_mandate_form(form.clone(), with(mandate_options(), "bankAccount", &half)).is_err()
    );
    form.remove();
}

#[wasm_bindgen_test]
async fn confirm_us_bank_account_setup_resolves_setup_intent_or_error() {
    replay(&["setup_intent_inactive_then_relinked"]);
    let failed = confirm_setup("seti_1_secret_abc".into(), mandate_options()).await;
    assert_eq!(
        string(&failed, &["error", "code"]).as_deref(),
        Some("financial_connections_account_inactive")
    );
    assert!(get(&failed, &["setupIntent"]).is_undefined());
    let confirmed = confirm_setup("seti_1_secret_abc".into(), mandate_options()).await;
    assert_eq!(
        string(&confirmed, &["setupIntent", "status"]).as_deref(),
        Some("succeeded")
    );
    assert!(get(&confirmed, &["error"]).is_undefined());
    let invalid = confirm_setup("nope".into(), mandate_options()).await;
    assert_eq!(
        string(&invalid, &["error", "param"]).as_deref(),
        Some("clientSecret")
    );
}

#[wasm_bindgen_test]
async fn the_hosted_page_redeems_its_token_and_runs_full_page() {
    replay(&["hosted_relink"]);
    let redeemed = Rc::new(RefCell::new(None));
    let seen = Rc::clone(&redeemed);
    let on_redeemed = Closure::<dyn FnMut(JsValue)>::new(move |detail| {
        *seen.borrow_mut() = Some(detail);
    });
    let hooks = js_sys::Object::new();
    Reflect::set(&hooks, &"onRedeemed".into(), on_redeemed.as_ref()).unwrap();
    let pending =
        sandbox::hosted_relink(settings("en", None), "hrt_1".into(), hooks.into()).unwrap();
    wait_for("consent-continue").await;
    assert_eq!(
        host().unwrap().get_attribute("data-layout").as_deref(),
        Some("page")
    );
    let detail = redeemed
        .borrow()
        .clone()
        .expect("told once the token is redeemed");
    assert_eq!(
        string(&detail, &["merchantName"]).as_deref(),
        Some("Rocket Rides")
    );
    let redeem = fetches().get(0);
    assert_eq!(string(&redeem, &["body"]).as_deref(), Some("token=hrt_1"));
    close_flow();
    let result = JsFuture::from(pending).await.unwrap();
    assert!(string(&result, &["financialConnectionsSession", "id"]).is_some());

    let used =
        sandbox::hosted_relink(settings("en", None), "hrt_1".into(), JsValue::UNDEFINED).unwrap();
    let result = JsFuture::from(used).await.unwrap();
    assert_eq!(
        string(&result, &["error", "code"]).as_deref(),
        Some("resource_missing"),
        "a spent link"
    );
    assert!(host().is_none());

    let bad = js_sys::Object::new();
    Reflect::set(&bad, &"layout".into(), &"sidebar".into()).unwrap();
    let thrown = sandbox::hosted_relink(settings("en", None), "hrt_1".into(), bad.into());
    assert_eq!(
        string(&thrown.unwrap_err(), &["param"]).as_deref(),
        Some("layout")
    );
}

// ---- the mandate form repairs an inactive account -------------------------------------------

fn with(options: JsValue, key: &str, value: &JsValue) -> JsValue {
    Reflect::set(&options, &key.into(), value).unwrap();
    options
}

async fn wait_for_form_events(expected: &str) {
    wait_until(expected, || form_events() == expected).await;
}

fn confirm_requests() -> Vec<JsValue> {
    fetches()
        .iter()
        .filter(|request| {
            string(request, &["url"])
                .is_some_and(|url| url.ends_with("/setup_intents/seti_1/confirm"))
        })
        .collect()
}

#[wasm_bindgen_test]
async fn mandate_form_relinks_an_inactive_account_then_confirms_again() {
    replay(&["setup_intent_inactive_then_relinked"]);
    let form = mandate_page(true);
    let options = with(
        mandate_options(),
        "createRelinkSession",
        &relink_session_creator(false),
    );
    let mut handle = mount_mandate_form(form.clone(), options).unwrap();
    let relink: web_sys::HtmlButtonElement = in_form(&form, "mandate-relink").dyn_into().unwrap();
    assert!(relink.hidden(), "nothing to repair yet");
    assert_eq!(
        relink.type_(),
        "button",
        "pressing it does not submit the form"
    );

    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    let error = in_form(&form, "mandate-error");
    assert_eq!(
        error.text_content().as_deref(),
        Some(
            "The connection to your bank stopped working. Reconnect your bank account to save it."
        )
    );
    assert!(!relink.hidden() && !relink.disabled());
    assert_eq!(
        relink.text_content().as_deref(),
        Some("Reconnect your bank account")
    );

    relink.click();
    wait_for("consent-continue").await;
    assert_eq!(relink_sessions_created(), 1);
    assert!(relink.disabled(), "disabled while the relink flow is open");
    let save: web_sys::HtmlButtonElement = form
        .query_selector("button:not([type=button])")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(save.disabled(), "no confirm while relinking");
    click("consent-continue").await;
    fill("login-password", "pass_good").await;
    click("login-submit").await;
    select("account-6789").await;
    click("accounts-submit").await;
    click("done").await;

    wait_for_form_events(
        r#"[["error","financial_connections_account_inactive"],["relinked","relinked_expected_account"],["confirmed","succeeded"]]"#,
    )
    .await;
    assert!(host().is_none());
    assert!(relink.hidden() && error.hidden());
    let confirms = confirm_requests();
    assert_eq!(confirms.len(), 2);
    assert_ne!(
        string(&confirms[0], &["idempotencyKey"]),
        string(&confirms[1], &["idempotencyKey"]),
        "the automatic confirm is a new attempt"
    );
    handle.unmount();
    form.remove();
}

#[wasm_bindgen_test]
async fn mandate_relink_that_repairs_nothing_keeps_offering_it() {
    replay(&[
        "setup_intent_inactive_then_relinked",
        "exact_relink_closed_before_login",
    ]);
    let form = mandate_page(true);
    let options = with(
        mandate_options(),
        "createRelinkSession",
        &relink_session_creator(false),
    );
    let mut handle = mount_mandate_form(form.clone(), options).unwrap();
    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    in_form(&form, "mandate-relink").click();
    wait_for("consent-continue").await;
    click("close").await;
    wait_until("the form is back", || {
        host().is_none() && !in_form(&form, "mandate-relink").has_attribute("disabled")
    })
    .await;
    let error = in_form(&form, "mandate-error");
    assert!(
        error
            .text_content()
            .unwrap()
            .contains("was not reconnected")
    );
    let relink: web_sys::HtmlButtonElement = in_form(&form, "mandate-relink").dyn_into().unwrap();
    assert!(!relink.hidden() && !relink.disabled());
    assert_eq!(
        confirm_requests().len(),
        1,
        "no confirm without a repaired account"
    );
    handle.unmount();
    form.remove();

    // The merchant's server failing to create a session is shown the same way.
    replay(&[
        "setup_intent_inactive_then_relinked",
        "exact_relink_closed_before_login",
    ]);
    let form = mandate_page(true);
    let options = with(
        mandate_options(),
        "createRelinkSession",
        &relink_session_creator(true),
    );
    let mut handle = mount_mandate_form(form.clone(), options).unwrap();
    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    in_form(&form, "mandate-relink").click();
    wait_until("the form says the account was not reconnected", || {
        in_form(&form, "mandate-error")
            .text_content()
            .unwrap()
            .contains("was not reconnected")
    })
    .await;
    assert!(host().is_none(), "no modal without a session");
    handle.unmount();
    form.remove();
}

#[wasm_bindgen_test]
async fn mandate_relink_speaks_japanese_and_german_and_is_absent_without_the_option() {
    for (locale, label) in [
        ("ja", "銀行口座を再連携"),
        ("de", "Bankkonto erneut verbinden"),
    ] {
        replay(&[
            "setup_intent_inactive_then_relinked",
            "exact_relink_closed_before_login",
        ]);
        let form = mandate_page(true);
        let options = with(
            with(mandate_options(), "locale", &locale.into()),
            "createRelinkSession",
            &relink_session_creator(false),
        );
        let mut handle = mount_mandate_form(form.clone(), options).unwrap();
        form.request_submit().unwrap();
        wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
        let relink = in_form(&form, "mandate-relink");
        assert_eq!(relink.text_content().as_deref(), Some(label));
        assert!(!relink.hidden());
        handle.unmount();
        form.remove();
    }

    replay(&[
        "setup_intent_inactive_then_relinked",
        "exact_relink_closed_before_login",
    ]);
    let form = mandate_page(true);
    let mut handle = mount_mandate_form(form.clone(), mandate_options()).unwrap();
    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    assert!(
        form.query_selector("[data-testid=mandate-relink]")
            .unwrap()
            .is_none()
    );
    assert!(
        in_form(&form, "mandate-error")
            .text_content()
            .unwrap()
            .contains("ask the customer to relink it"),
        "without createRelinkSession the server's error is shown as is"
    );
    handle.unmount();
    form.remove();

    let form = mandate_page(true);
    let bad = with(mandate_options(), "createRelinkSession", &"nope".into());
    assert!(mount_mandate_form(form.clone(), bad).is_err());
    form.remove();
}

// ---- the stripe provider -------------------------------------------------------------------

fn stripe_options(stripe: &JsValue, existing: &[&str]) -> JsValue {
    let options = options_on(stripe.clone(), JsValue::UNDEFINED);
    let ids: Array = existing.iter().map(|id| JsValue::from_str(id)).collect();
    with(with(options, "stripe", stripe), "existingAccountIds", &ids)
}

fn stripe_calls(stripe: &JsValue) -> String {
    js_sys::JSON::stringify(&get(stripe, &["calls"]))
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn stripe_provider_classifies_what_stripe_js_resolves() {
    replay(&[]);
    let stripe = fake_stripe("relinked");
    let result = collect(stripe_options(&stripe, &["fca_6789"])).await;
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("relinked_expected_account")
    );
    assert_eq!(get(&result, &["isNew"]), JsValue::FALSE);
    assert_eq!(
        string(
            &result,
            &["financialConnectionsSession", "accounts", "0", "id"]
        )
        .as_deref(),
        Some("fca_6789")
    );
    assert_eq!(
        stripe_calls(&stripe),
        r#"[["collect","fcsess_client_secret_TEST"]]"#
    );
    assert_eq!(fetches().length(), 0, "Stripe.js does the talking");
    assert_eq!(event_types(), ["open", "success", "close"]);
    let success = event_objects().get(1);
    assert_eq!(
        string(&success, &["outcome"]).as_deref(),
        Some("relinked_expected_account")
    );

    replay(&[]);
    let stripe = fake_stripe("no_account");
    let result = collect(stripe_options(&stripe, &[])).await;
    assert_eq!(string(&result, &["outcome"]).as_deref(), Some("no_account"));
    assert_eq!(get(&result, &["isNew"]), JsValue::NULL);
    assert!(
        get(&result, &["error"]).is_undefined(),
        "giving up is not an error"
    );
    assert_eq!(event_types(), ["open", "cancel", "close"]);
}

#[wasm_bindgen_test]
async fn stripe_provider_errors_are_could_not_launch() {
    replay(&[]);
    let stripe = fake_stripe("error");
    let result = collect(stripe_options(&stripe, &[])).await;
    assert_could_not_launch(&result, "resource_missing");
    assert_eq!(
        string(&result, &["error", "doc_url"]).as_deref(),
        Some("https://stripe.com/docs/error-codes/resource-missing")
    );
    assert_eq!(event_types(), ["open", "error", "close"]);
    assert_eq!(
        string(&event_objects().get(1), &["error", "code"]).as_deref(),
        Some("resource_missing")
    );

    replay(&[]);
    let result = collect(stripe_options(&fake_stripe("throws"), &[])).await;
    assert_eq!(
        string(&result, &["error", "code"]).as_deref(),
        Some("provider_failed")
    );

    let not_stripe = stripe_options(&js_sys::Object::new().into(), &[]);
    let result = collect(not_stripe).await;
    assert_eq!(
        string(&result, &["error", "param"]).as_deref(),
        Some("stripe")
    );
}

#[wasm_bindgen_test]
async fn stripe_provider_completes_a_ga_session_with_fetch_session() {
    replay(&[]);
    let stripe = fake_stripe("ga");
    let options = with(
        stripe_options(&stripe, &["fca_other"]),
        "fetchSession",
        &fetch_session_hook(),
    );
    let result = collect(options).await;
    assert_eq!(
        fetched_sessions()
            .iter()
            .filter_map(|id| id.as_string())
            .collect::<Vec<_>>(),
        ["fcsess_stripe"]
    );
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("relinked_existing_account")
    );
    assert_eq!(get(&result, &["isNew"]), JsValue::FALSE);
    assert_eq!(
        string(
            &result,
            &[
                "financialConnectionsSession",
                "relink_result",
                "authorization"
            ]
        )
        .as_deref(),
        Some("fcauth_1")
    );
    let accounts = get(&result, &["financialConnectionsSession", "accounts"]);
    assert!(Array::is_array(&accounts), "Stripe.js's own accounts win");
    assert_eq!(
        string(&result, &["financialConnectionsSession", "livemode"]),
        None
    );
    assert_eq!(
        get(&result, &["financialConnectionsSession", "livemode"]),
        JsValue::FALSE
    );

    // Without the hook, a GA session is classified from what it has.
    replay(&[]);
    let result = collect(stripe_options(&fake_stripe("ga"), &[])).await;
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("linked_new_account")
    );
}

#[wasm_bindgen_test]
async fn stripe_provider_runs_one_flow_at_a_time() {
    replay(&[]);
    let stripe = fake_stripe("pending");
    let first = Running::start(stripe_options(&stripe, &[]));
    wait_until("Stripe.js runs its modal", || {
        stripe_calls(&stripe).contains("collect")
    })
    .await;
    let second = collect(stripe_options(&stripe, &[])).await;
    assert_eq!(
        string(&second, &["error", "code"]).as_deref(),
        Some("flow_already_open")
    );
    let sandbox = collect(options(JsValue::UNDEFINED)).await;
    assert_eq!(
        string(&sandbox, &["error", "code"]).as_deref(),
        Some("flow_already_open"),
        "nor a relink modal over Stripe's"
    );
    abort();
    // abort() cannot close Stripe's modal.
    let after_abort = collect(stripe_options(&stripe, &[])).await;
    assert_eq!(
        string(&after_abort, &["error", "code"]).as_deref(),
        Some("flow_already_open")
    );
    assert!(
        !first.settled(),
        "Stripe's modal settles when the customer closes it"
    );
    let finish: js_sys::Function = get(&stripe, &["finish"]).dyn_into().unwrap();
    finish.call0(&JsValue::UNDEFINED).unwrap();
    let result = first.result().await;
    assert_eq!(string(&result, &["outcome"]).as_deref(), Some("no_account"));
    assert_eq!(event_types().iter().filter(|e| *e == "close").count(), 1);
    // The slot is free again.
    let again = fake_stripe("relinked");
    let result = collect(stripe_options(&again, &[])).await;
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("relinked_expected_account")
    );
}

#[wasm_bindgen_test]
async fn stripe_provider_confirms_and_repairs_in_the_mandate_form() {
    replay(&[]);
    let stripe = fake_stripe("inactive_once");
    let confirm_options = with(mandate_options(), "stripe", &stripe);
    let failed = confirm_setup("seti_1_secret_abc".into(), confirm_options.clone()).await;
    assert_eq!(
        string(&failed, &["error", "code"]).as_deref(),
        Some("financial_connections_account_inactive")
    );
    let confirmed = confirm_setup("seti_1_secret_abc".into(), confirm_options).await;
    assert_eq!(
        string(&confirmed, &["setupIntent", "status"]).as_deref(),
        Some("succeeded")
    );

    let stripe = fake_stripe("inactive_once");
    let form = mandate_page(true);
    let options = with(
        with(mandate_options(), "stripe", &stripe),
        "createRelinkSession",
        &relink_session_creator(false),
    );
    let mut handle = mount_mandate_form(form.clone(), options).unwrap();
    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error","financial_connections_account_inactive"]]"#).await;
    in_form(&form, "mandate-relink").click();
    wait_for_form_events(
        r#"[["error","financial_connections_account_inactive"],["relinked","relinked_expected_account"],["confirmed","succeeded"]]"#,
    )
    .await;
    assert_eq!(
        stripe_calls(&stripe),
        r#"[["confirm","seti_1_secret_abc"],["collect","fcsess_client_secret_RELINK"],["confirm","seti_1_secret_abc"]]"#
    );
    assert_eq!(fetches().length(), 0, "Stripe.js does the talking");
    handle.unmount();
    form.remove();
}

// ---- a flow that always ends ---------------------------------------------------------------

/// The time, in milliseconds.
fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
async fn closing_on_a_dropped_network_settles_within_a_second() {
    // Two flows' manifests: the stalled one, and the next one opened afterwards.
    replay_with(&["exact_relink", "exact_relink"], "stall_after_manifest");
    let flow = Running::start(options(JsValue::UNDEFINED));
    click("consent-continue").await;
    fill("login-password", "pass_good").await;
    click("login-submit").await;
    wait_until("the password is sent and never answered", || {
        stalled_requests() == 1
    })
    .await;
    let closed_at = now();
    press(&document().body().unwrap(), "Escape", false);
    let result = flow.result().await;
    assert!(
        now() - closed_at < 1000.0,
        "settled {} ms after the close",
        now() - closed_at
    );
    assert!(host().is_none());
    // A relink the server had not finished: read, as the rules read it, as never reaching the bank.
    assert_relink_failed(&result, "no_authorization");
    assert!(get(&result, &["error"]).is_undefined());
    assert_eq!(
        aborted_requests(),
        2,
        "the stalled login and the close's own request are cancelled"
    );

    // A network that comes back late changes nothing.
    let events = event_types();
    answer_stalled_requests();
    let next = Running::start(options(JsValue::UNDEFINED));
    wait_for("consent-continue").await;
    assert_eq!(&event_types()[..events.len()], &events[..]);
    assert_eq!(event_types().iter().filter(|e| *e == "close").count(), 1);
    close_flow();
    next.result().await;
}

#[wasm_bindgen_test]
async fn closing_settles_a_flow_that_never_loaded() {
    replay_with(&[], "stall");
    let flow = Running::start(options(JsValue::UNDEFINED));
    wait_until("the manifest is asked for", || stalled_requests() == 1).await;
    let aborted_at = now();
    press(&document().body().unwrap(), "Escape", false);
    let result = flow.result().await;
    assert!(now() - aborted_at < 1000.0);
    assert_eq!(
        string(&result, &["outcome"]).as_deref(),
        Some("could_not_launch")
    );
    assert!(get(&result, &["financialConnectionsSession"]).is_undefined());
    assert_eq!(
        string(&result, &["error", "type"]).as_deref(),
        Some("api_connection_error")
    );
    assert!(host().is_none());
    assert_eq!(event_types(), ["open", "error", "close"]);
    assert_eq!(
        flow_event_types(),
        ["open", "cancel", "error", "close"],
        "the sandbox's own steps"
    );
    assert_eq!(aborted_requests(), 2);
}

#[wasm_bindgen_test]
async fn requests_time_out_after_request_timeout() {
    replay_with(&[], "stall");
    // The drop-in's own setting (Stripe.js has its own timeouts).
    let timed = options_on(drop_in(settings("en", Some(200.0))), JsValue::UNDEFINED);
    let result = Running::start(timed).result().await;
    assert_eq!(
        string(&result, &["error", "type"]).as_deref(),
        Some("api_connection_error")
    );
    assert_eq!(
        string(&result, &["error", "message"]).as_deref(),
        Some("The Financial Connections API did not answer within 200 ms.")
    );
    assert_eq!(aborted_requests(), 1, "the timed-out request is cancelled");

    let bad = js_sys::Object::new();
    Reflect::set(&bad, &"publishableKey".into(), &"pk_test_123".into()).unwrap();
    Reflect::set(&bad, &"apiBase".into(), &"https://sandbox.test".into()).unwrap();
    Reflect::set(&bad, &"requestTimeout".into(), &"30s".into()).unwrap();
    let thrown =
        sandbox::collect_financial_connections_accounts(bad.into(), options(JsValue::UNDEFINED));
    let thrown = thrown.unwrap_err();
    assert_eq!(
        string(&thrown, &["name"]).as_deref(),
        Some("IntegrationError")
    );
    assert!(
        string(&thrown, &["message"])
            .unwrap()
            .contains("requestTimeout")
    );
}

#[wasm_bindgen_test]
async fn the_mandate_form_times_out_and_unmounting_silences_its_request() {
    replay_with(&[], "stall");
    let form = mandate_page(true);
    let options = mandate_options_on(drop_in(settings("en", Some(200.0))));
    let mut handle = mount_mandate_form(form.clone(), options).unwrap();
    form.request_submit().unwrap();
    wait_for_form_events(r#"[["error",null]]"#).await;
    let shown = in_form(&form, "mandate-error").text_content().unwrap();
    assert!(shown.contains("did not answer within 200 ms"), "{shown}");
    let button: web_sys::HtmlButtonElement = form
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(!button.disabled(), "re-enabled after the timeout");

    button.click();
    wait_until("the second attempt is in flight", || {
        stalled_requests() == 2
    })
    .await;
    handle.unmount();
    // Stripe.js's confirm cannot be cancelled; once it times out, the form reports nothing.
    wait_until("the second attempt times out", || aborted_requests() == 2).await;
    TimeoutFuture::new(50).await;
    assert_eq!(form_events(), r#"[["error",null]]"#, "and reports nothing");
    form.remove();
}

#[wasm_bindgen_test]
async fn thrown_errors_carry_stripes_fields() {
    let form = mandate_page(true);
    let options = mandate_options();
    Reflect::delete_property(
        options.unchecked_ref::<js_sys::Object>(),
        &"merchantName".into(),
    )
    .unwrap();
    let thrown = mount_mandate_form(form.clone(), options).unwrap_err();
    assert!(thrown.is_instance_of::<js_sys::Error>());
    assert_eq!(
        string(&thrown, &["code"]).as_deref(),
        Some("parameter_missing")
    );
    assert_eq!(string(&thrown, &["param"]).as_deref(), Some("merchantName"));
    assert_eq!(
        string(&thrown, &["type"]).as_deref(),
        Some("invalid_request_error")
    );
    form.remove();
}
