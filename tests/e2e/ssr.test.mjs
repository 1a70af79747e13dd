// Server-side rendering: importing the package where there is no `window` does nothing, and
// loadRelink resolves null instead of throwing, so shared code can call it unguarded.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the bundled entry imports without a window and loadRelink resolves null', async () => {
  assert.equal(typeof globalThis.window, 'undefined');
  const { loadRelink } = await import('../../pkg/dist/relink.esm.js');
  assert.equal(await loadRelink('pk_test_relinksandbox000000000000'), null);
});

test('so does the unbundled entry', async () => {
  const { loadRelink } = await import('../../pkg/index.js');
  assert.equal(await loadRelink('pk_test_relinksandbox000000000000'), null);
});
