// node --test tests/support/replay_fetch.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { install_replay, replayed_requests } from './replay_fetch.js';

const fixtures = readFileSync(new URL('../fixtures/link_flow.json', import.meta.url), 'utf8');
const base = 'https://sandbox.test';
const post = (path, body, extra = {}) => fetch(base + path, {
  method: 'POST',
  headers: { Authorization: 'Bearer pk_test_relinksandbox000000000000', 'Idempotency-Key': 'k1' },
  body,
  ...extra,
});

test('answers each request with the first unused exchange that matches it', async () => {
  install_replay('mfa', fixtures);
  const manifest = await post('/v1/link_account_sessions/manifest', 'client_secret=fcsess_client_secret_anything');
  assert.equal(manifest.status, 200);
  assert.equal(manifest.headers.get('Content-Type'), 'application/json');
  assert.equal((await manifest.json()).object, 'link_account_session_manifest');

  const login = 'client_secret=x&institution=fcinst_mfa_bank&password=pass_good';
  assert.equal((await (await post('/v1/link_account_sessions/authenticate', login)).json()).status, 'mfa_required');
  // Field order does not matter; values do.
  const code = (c) => `mfa_code=${c}&password=pass_good&institution=fcinst_mfa_bank`;
  assert.equal((await (await post('/v1/link_account_sessions/authenticate', code('000000'))).json()).status, 'login_failed');
  assert.equal((await (await post('/v1/link_account_sessions/authenticate', code('123456'))).json()).status, 'authenticated');

  const done = await (await post('/v1/link_account_sessions/complete', 'client_secret=x&accounts%5B%5D=6789')).json();
  assert.equal(done.status, 'succeeded');
  assert.equal(done.accounts.data[0].id, 'fca_6789');

  const seen = replayed_requests();
  assert.equal(seen.length, 5);
  assert.deepEqual(
    { url: seen[0].url, auth: seen[0].auth, idempotencyKey: seen[0].idempotencyKey },
    { url: base + '/v1/link_account_sessions/manifest', auth: 'Bearer pk_test_relinksandbox000000000000', idempotencyKey: 'k1' },
  );
});

test('an exchange is used once; a request nothing recorded answers 404 naming the path', async () => {
  install_replay('plain_closed', fixtures);
  assert.equal((await post('/v1/link_account_sessions/manifest', 'client_secret=x')).status, 200);
  const again = await post('/v1/link_account_sessions/manifest', 'client_secret=x');
  assert.equal(again.status, 404);
  const { error } = await again.json();
  assert.equal(error.type, 'invalid_request_error');
  assert.match(error.message, /\/v1\/link_account_sessions\/manifest.*not recorded/);
  // Multi-valued fields compare as lists: picking an account is not closing.
  assert.equal((await post('/v1/link_account_sessions/complete', 'client_secret=x&accounts[]=6789')).status, 404);
  assert.equal((await (await post('/v1/link_account_sessions/complete', 'client_secret=x')).json()).status, 'cancelled');
});

test('recorded error answers keep their status', async () => {
  install_replay('used_session', fixtures);
  const answer = await post('/v1/link_account_sessions/manifest', 'client_secret=x');
  assert.equal(answer.status, 400);
  assert.equal((await answer.json()).error.code, 'token_already_used');
});

test('a request whose signal aborted rejects with an AbortError and spends nothing', async () => {
  install_replay('plain_closed', fixtures);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    post('/v1/link_account_sessions/manifest', 'client_secret=x', { signal: controller.signal }),
    (error) => error instanceof DOMException && error.name === 'AbortError',
  );
  assert.equal((await post('/v1/link_account_sessions/manifest', 'client_secret=x')).status, 200);
});

test('an unknown scenario is an error at install time', () => {
  assert.throws(() => install_replay('nope', fixtures), /no recorded scenario 'nope'/);
});
