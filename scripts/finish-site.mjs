// What the release site's build leaves to do, for a lighter first load
// (docs/perf.md, "What costs the first load"):
//
// 1. The chunk loader that `cargo leptos build --split` writes
//    (`target/site/pkg/__wasm_split.<hash>.js`) is part of the first load and
//    is not minified: before each of its ~360 chunks it keeps a comment
//    naming every screen that shares the chunk (≈ 70 KB raw, 2 KB brotli).
//    The comments are dropped, and the file's `.br` and `.gz` written again
//    (the server sends those to browsers that take them). Code is not
//    touched.
// 2. The first load's other files (the main wasm, its JS, the CSS) get their
//    `.br` written again at brotli's best (quality 11, a 16 MiB window) when
//    that is smaller: the build's own compression is a little larger and
//    not the same from one build to the next for the same file.
//
// Run after every release build of the site (scripts/test.sh,
// scripts/demo.sh and scripts/perf-field.sh do); running it twice changes
// nothing.
//
//   node scripts/finish-site.mjs [site-dir]   (default target/site)

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const best = (bytes) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });

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
    writeFileSync(`${path}.br`, best(Buffer.from(after)));
  }
  if (existsSync(`${path}.gz`)) {
    writeFileSync(`${path}.gz`, gzipSync(Buffer.from(after), { level: 9 }));
  }
  console.log(`${name}: ${before.length} → ${after.length} bytes`);
}

for (const name of readdirSync(pkg).filter((f) => /^tiaojie\..*\.(wasm|js|css)$/.test(f))) {
  const path = join(pkg, name);
  if (!existsSync(`${path}.br`)) continue;
  const built = readFileSync(`${path}.br`).length;
  const again = best(readFileSync(path));
  if (again.length < built) {
    writeFileSync(`${path}.br`, again);
    console.log(`${name}.br: ${built} → ${again.length} bytes`);
  }
}
