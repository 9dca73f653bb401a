// Trunk post_build hook (see Trunk.toml): writes NAME.gz and NAME.br beside
// every .wasm/.js/.css/.html/.svg of the build, so a static host that serves
// precompressed files (nginx gzip_static/brotli_static, Caddy precompressed,
// Netlify, the e2e harness) sends 0.6 MiB of wasm instead of 3.5 MiB, with
// no compression work per request. Maximum levels: this runs once per build.
//
// First it drops the wasm's "name" custom section (function names, only for
// stack traces: 0.97 MB of 3.67 MB). wasm-opt would, but is not usable here
// (index.html: data-wasm-opt="0"); Cargo's `strip = true` would too, but it
// also drops the target_features section wasm-bindgen reads, which then
// warns and guesses. Trunk has already put the wasm's SHA-384 in index.html
// (Subresource Integrity), so that is updated to the new bytes.
//
// Usage: node e2e/precompress.mjs [DIR]   (DIR defaults to $TRUNK_STAGING_DIR)
// Only release builds are compressed: `trunk serve`'s debug loop stays fast.
import { readdir, readFile, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompress, gzip, constants } from 'node:zlib';
import { promisify } from 'node:util';

const COMPRESSIBLE = /\.(wasm|js|css|html|svg)$/;

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('precompress: no directory (pass one, or run as a Trunk hook)');
  process.exit(2);
}
if (!process.argv[2] && process.env.TRUNK_PROFILE !== 'release') {
  console.log(`precompress: skipped (${process.env.TRUNK_PROFILE} build)`);
  process.exit(0);
}

const brotli = (body) => promisify(brotliCompress)(body, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    // The wasm is the big one: a large window finds its repeats.
    [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
  },
});
const gz = (body) => promisify(gzip)(body, { level: constants.Z_BEST_COMPRESSION });

/** The wasm module without its "name" custom section (null if it has none). */
function withoutNames(wasm) {
  const kept = [wasm.subarray(0, 8)]; // magic and version
  let found = false;
  let i = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[i++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (i < wasm.length) {
    const start = i;
    const id = wasm[i++];
    const size = leb();
    const end = i + size;
    let custom = null;
    if (id === 0) {
      const length = leb();
      custom = wasm.subarray(i, i + length).toString();
    }
    if (custom === 'name') found = true;
    else kept.push(wasm.subarray(start, end));
    i = end;
  }
  if (i !== wasm.length) throw new Error('precompress: the wasm does not parse into sections');
  return found ? Buffer.concat(kept) : null;
}

const sri = (body) => `sha384-${createHash('sha384').update(body).digest('base64')}`;

const names = await readdir(dir);
for (const name of names.filter((n) => n.endsWith('.wasm'))) {
  const path = join(dir, name);
  const wasm = await readFile(path);
  const stripped = withoutNames(wasm);
  if (!stripped) continue;
  await writeFile(path, stripped);
  for (const html of names.filter((n) => n.endsWith('.html'))) {
    const page = await readFile(join(dir, html), 'utf8');
    if (page.includes(sri(wasm))) await writeFile(join(dir, html), page.replaceAll(sri(wasm), sri(stripped)));
  }
  console.log(`precompress: ${name} without its name section: ${wasm.length} B -> ${stripped.length} B`);
}
// A rebuild into the same directory must not leave a stale .gz/.br whose
// original is gone (Trunk's hashed names change with every code change).
for (const name of names) {
  if (/\.(gz|br)$/.test(name) && !names.includes(name.replace(/\.(gz|br)$/, ''))) await unlink(join(dir, name));
}
for (const name of names.filter((n) => COMPRESSIBLE.test(n))) {
  const path = join(dir, name);
  const body = await readFile(path);
  const [g, b] = await Promise.all([gz(body), brotli(body)]);
  await writeFile(`${path}.gz`, g);
  await writeFile(`${path}.br`, b);
  console.log(`precompress: ${name} ${body.length} B, gzip ${g.length} B, brotli ${b.length} B`);
}
