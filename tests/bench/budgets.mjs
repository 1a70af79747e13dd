// The download budgets of the two wasm builds, checked by every `./dev build-wasm` (and so by
// `./dev test`): a byte count is deterministic, so an innocent `format!` that pulls `core::fmt`
// back in fails the build here instead of quietly growing every page's download.
//
// - the production core: everything a production page fetches from relink (the bundled ESM
//   entry with its glue, and the wasm). Its goal is 25 KB; the budget holds what it measures
//   today (29.8 KB: the mandate form in three languages, std's panic formatting and the
//   async machinery are most of it) so it cannot grow, and moves down as it shrinks;
// - the sandbox flow UI: what the sandbox's drop-in fetches (its loader at /v3/, the glue and
//   the wasm).
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const KB = 1024;
export const BUILDS = [
  {
    name: 'production core',
    files: ['dist/relink.esm.js', 'dist/relink_bg.wasm'],
    budget: 30 * KB,
    goal: 25 * KB,
  },
  {
    name: 'sandbox flow UI',
    files: ['dist/stripe.js', 'dist/sandbox-ui/relink_sandbox_ui.js', 'dist/sandbox-ui/relink_sandbox_ui_bg.wasm'],
    budget: 60 * KB,
    goal: 60 * KB,
  },
];

const pkg = (path) => new URL(`../../pkg/${path}`, import.meta.url);

/** Raw, gzip -9 and brotli (quality 11) bytes of `files`, added up. */
export function downloadSize(files) {
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const file of files) {
    const bytes = readFileSync(pkg(file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw, gzip, brotli };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let over = 0;
  for (const build of BUILDS) {
    const { raw, gzip, brotli } = downloadSize(build.files);
    const fits = gzip <= build.budget;
    if (!fits) over += 1;
    const goal = gzip <= build.goal ? '' : `; goal ${build.goal / KB} KB not met yet`;
    console.log(`    ${build.name}: ${gzip} bytes gzip (${(gzip / KB).toFixed(1)} KB; raw ${raw}, brotli ${brotli}), `
      + `budget ${build.budget} bytes (${build.budget / KB} KB${goal})${fits ? '' : '  <-- OVER BUDGET'}`);
  }
  if (over) {
    console.error('error: a wasm build exceeds its download budget (tests/bench/budgets.mjs); find what grew with `./dev bench` (twiggy)');
    process.exit(1);
  }
}
