// Replays the link flow recorded from the real sandbox (tests/fixtures/link_flow.json, written by
// sandbox/tests/contract.rs) as `window.fetch`, for the browser tests:
//
//   #[wasm_bindgen(module = "/tests/support/replay_fetch.js")]
//   extern "C" { fn install_replay(scenario: &str, fixtures_json: &str); fn replayed_requests() -> Array; }
//   install_replay("mfa", include_str!("fixtures/link_flow.json"));
//
// A request is answered by the first not-yet-used exchange of the scenario with the same method,
// path (the origin is ignored) and form fields (`client_secret` is ignored, since the recording
// holds no real secret; repeated fields such as `accounts[]` compare as lists, in order). A
// request nothing recorded answers 404 with a Stripe error envelope naming the path, so the test
// fails visibly instead of hanging. Re-record with
//   RELINK_RECORD_FIXTURES=1 cargo test -p relink-sandbox --test contract

let requests = [];

/// The form fields of a request body, without `client_secret`, as `{name: [values…]}`.
export function formFields(body) {
  const fields = {};
  for (const [name, value] of new URLSearchParams(body ?? '')) {
    if (name === 'client_secret') continue;
    (fields[name] ??= []).push(value);
  }
  return fields;
}

/// A recorded `request` (`{name: value}`, lists for `…[]`) in the shape of `formFields`.
function recordedFields(request) {
  const fields = {};
  for (const [name, value] of Object.entries(request ?? {})) {
    if (name === 'client_secret') continue;
    fields[name] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return fields;
}

function sameFields(a, b) {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length
    && names.every((name) => b[name]
      && a[name].length === b[name].length
      && a[name].every((value, i) => value === b[name][i]));
}

/// The index of the first exchange in `exchanges` not in `used` that matches the request.
export function findExchange(exchanges, used, method, path, fields) {
  return exchanges.findIndex((exchange, i) => !used.has(i)
    && exchange.method === method
    && exchange.path === path
    && sameFields(recordedFields(exchange.request), fields));
}

const json = (status, body) => new Response(JSON.stringify(body), {
  status,
  headers: { 'Content-Type': 'application/json' },
});

/// A fetch that replays `scenario` of the fixtures (their JSON text, or already parsed).
export function replayFetch(scenario, fixturesJson) {
  const fixtures = typeof fixturesJson === 'string' ? JSON.parse(fixturesJson) : fixturesJson;
  const recorded = fixtures.scenarios?.[scenario];
  if (!recorded) throw new Error(`replay_fetch: no recorded scenario '${scenario}'`);
  const used = new Set();
  requests = [];
  return async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const headers = new Headers(init.headers);
    const body = init.body == null ? '' : String(init.body);
    requests.push({
      url,
      body,
      auth: headers.get('Authorization'),
      idempotencyKey: headers.get('Idempotency-Key'),
    });
    // As fetch does: a request whose signal has aborted fails, and no exchange is spent on it.
    if (init.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    const method = (init.method ?? 'GET').toUpperCase();
    const path = new URL(url, 'http://replay.invalid').pathname;
    const index = findExchange(recorded.exchanges, used, method, path, formFields(body));
    if (index < 0) {
      return json(404, {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `replay_fetch: ${method} ${path} with these fields was not recorded in scenario '${scenario}'.`,
          param: null,
        },
      });
    }
    used.add(index);
    const { status, body: answer } = recorded.exchanges[index];
    return json(status, answer);
  };
}

/// Replaces `window.fetch` (or `globalThis.fetch`) with the replay of `scenario`.
export function install_replay(scenario, fixturesJson) {
  globalThis.fetch = replayFetch(scenario, fixturesJson);
}

/// Every request seen since `install_replay`, as `{url, body, auth, idempotencyKey}`.
export function replayed_requests() {
  return requests.slice();
}
