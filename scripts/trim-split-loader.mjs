// The chunk loader that `cargo leptos build --split` writes
// (`target/site/pkg/__wasm_split.<hash>.js`) is part of the first load and is
// not minified: before each of its ~370 chunks it keeps a comment naming
// every screen that shares the chunk (≈ 75 KB raw, 2 KB brotli of the first
// load). This drops the comments, then writes the file's `.br` and `.gz`
// again (the server sends those to browsers that take them). Code is not
// touched. Run after every release build of the site (scripts/test.sh and
// scripts/demo.sh do); running it twice changes nothing.
//
//   node scripts/trim-split-loader.mjs [site-dir]   (default target/site)

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const pkg = join(process.argv[2] ?? 'target/site', 'pkg');
const loaders = readdirSync(pkg).filter((f) => /^__wasm_split\..*\.js$/.test(f));
if (loaders.length === 0) {
  console.error(`no __wasm_split.*.js in ${pkg}: build the site with --split first`);
  process.exit(1);
}
for (const name of loaders) {
  const path = join(pkg, name);
  const before = readFileSync(path, 'utf8');
  const after = before
    // a chunk's comment: the screens that share it
    .replace(/^\/\* [^*]*\*\/\n/gm, '')
    // line comments on their own line
    .replace(/^[ \t]*\/\/.*\n/gm, '');
  if (after === before) {
    console.log(`${name}: nothing to trim`);
    continue;
  }
  writeFileSync(path, after);
  if (existsSync(`${path}.br`)) {
    writeFileSync(`${path}.br`, brotliCompressSync(Buffer.from(after), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
    }));
  }
  if (existsSync(`${path}.gz`)) {
    writeFileSync(`${path}.gz`, gzipSync(Buffer.from(after), { level: 9 }));
  }
  console.log(`${name}: ${before.length} → ${after.length} bytes`);
}
