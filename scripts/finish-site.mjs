// What the release site's build leaves to do, for a lighter first load
// (docs/perf.md, "What costs the first load"):
//
// 1. The chunk loader that `cargo leptos build --split` writes
//    (`target/site/pkg/__wasm_split.<hash>.js`) is part of the first load and
//    is not minified: before each of its ~360 chunks it keeps a comment
//    naming every screen that shares the chunk (≈ 70 KB raw, 2 KB brotli).
//    The comments are dropped, and each chunk's five-line loader (the same
//    but for its name and its dependencies) becomes one call of a helper
//    that does exactly what those lines did (≈ 0.15 KB brotli: the chunks'
//    hashes are most of what is left). Then the file's `.br` and `.gz` are
//    written again (the server sends those to browsers that take them).
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
  let after = before
    // a chunk's comment: the screens that share it
    .replace(/^\/\* [^*]*\*\/\n/gm, '')
    // line comments on their own line
    .replace(/^[ \t]*\/\/.*\n/gm, '')
    // a chunk's loader: `makeLoad` of a fetch of `./chunk_<n>.<hash>.wasm`
    .replace(
      /^const __chunk_(\d+) = makeLoad\(\(\) => \{\n    const src = fetch\(new URL\("\.\/chunk_\1\.([\w-]+)\.wasm", import\.meta\.url\)\);\n    return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\n\}\n, \[([^\]]*)\]\);$/gm,
      (_, n, hash, deps) => `const __chunk_${n} = __chunk("${n}.${hash}", [${deps}]);`,
    );
  if (after.includes('= __chunk("') && !after.includes('const __chunk = ')) {
    // the helper, once, before the first chunk (makeLoad is declared above)
    after = after.replace(
      /^const __chunk_/m,
      'const __chunk = (name, deps) => makeLoad(() => {\n' +
        '    const src = fetch(new URL(`./chunk_${name}.wasm`, import.meta.url));\n' +
        '    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n' +
        '}\n, deps);\n' +
        'const __chunk_',
    );
  }
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
