// Trunk post_build hook (see Trunk.toml): writes NAME.gz and NAME.br beside
// every .wasm/.js/.css/.html/.svg of the build, so a static host that serves
// precompressed files (nginx gzip_static/brotli_static, Caddy precompressed,
// Netlify, the e2e harness) sends 0.6 MiB of wasm instead of 3.5 MiB, with
// no compression work per request. Maximum levels: this runs once per build.
//
// Usage: node e2e/precompress.mjs [DIR]   (DIR defaults to $TRUNK_STAGING_DIR)
// Only release builds are compressed: `trunk serve`'s debug loop stays fast.
import { readdir, readFile, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
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

const names = await readdir(dir);
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
