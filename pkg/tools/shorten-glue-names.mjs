// Rewrites the glue to the names `wasm-opt --minify-imports-and-exports-and-modules` gave the wasm.
//
// wasm-bindgen names most imports and some exports after a function plus a 16-digit hash. Every
// name is spelled once in the wasm and once in the JS, and the hashes barely compress: about
// 2 KB of a page's gzipped download. wasm-opt shortens them in the wasm and prints the mapping;
// this applies it to the glue:
// - each import is a key of the object handed to `instantiate`, spelled exactly once;
// - each export is read as `wasm.<name>` (some, like `__instance_terminated`, never are);
// - the one import module, `"./<name>_bg.js"`, becomes `a` (wasm-opt prints no mapping for it).
//
// Usage: wasm-opt --minify-imports-and-exports-and-modules … | node shorten-glue-names.mjs glue.js
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath] = process.argv.slice(2);
const fail = (message) => {
  console.error(`shorten-glue-names: ${message}`);
  process.exit(1);
};
if (!gluePath) fail('usage: wasm-opt … | node shorten-glue-names.mjs <glue.js>');

// wasm-opt prints JSON-like text with trailing commas: `{"imports": [[module, old, new], …],
// "exports": [[old, new], …]}`.
const printed = readFileSync(0, 'utf8').replace(/,(\s*[\]}])/g, '$1');
const { imports, exports } = JSON.parse(printed);
if (!imports?.length || !exports?.length) fail('wasm-opt printed no mapping');

const escape = (name) => name.replace(/\$/g, '\\$');
let glue = readFileSync(gluePath, 'utf8');
const rename = (pattern, to, expected) => {
  const found = glue.match(pattern)?.length ?? 0;
  if (!expected(found)) fail(`found ${pattern} ${found} times in ${gluePath}`);
  glue = glue.replace(pattern, to);
};

const modules = new Set(imports.map(([module]) => module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(', ')}`);
rename(new RegExp(`"${escape([...modules][0]).replace(/\./g, '\\.')}"(?=:)`, 'g'), 'a', (n) => n === 1);
// Every replacement is a whole old name, so a short new name never matches a later pattern.
for (const [, from, to] of imports) {
  rename(new RegExp(`(?<=[\\s{,])${escape(from)}(?=:)`, 'g'), to, (n) => n === 1);
}
for (const [from, to] of exports) {
  rename(new RegExp(`(?<=\\bwasm\\.)${escape(from)}\\b`, 'g'), to, () => true);
}
writeFileSync(gluePath, glue);
