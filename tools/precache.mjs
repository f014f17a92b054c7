// Trunk post-build hook: writes the service worker's precache list and version into sw.js, then
// compresses every file of the build beside itself (`x.br`, `x.gz`) for the server to send.
//
// Every file of the build except sw.js itself is precached; the version is a digest of all their
// contents, so any change to the app makes a new cache and an unchanged build keeps the old one.
// Compressing once at build time lets the server send the smallest form at no cost per request:
// on a 2G link the shell's brotli form arrives three times sooner than its raw one.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("precache.mjs: TRUNK_STAGING_DIR is not set; run it from Trunk's post_build hook");
  process.exit(1);
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

const swPath = join(staging, "sw.js");
const shell = files(staging)
  .filter((path) => path !== swPath)
  .map((path) => ({ path, url: "/" + relative(staging, path).split(sep).join("/") }))
  .sort((a, b) => a.url.localeCompare(b.url));

const digest = createHash("sha256");
for (const { path, url } of shell) {
  digest.update(url).update("\0").update(readFileSync(path)).update("\0");
}
const version = digest.digest("hex").slice(0, 16);

const template = readFileSync(swPath, "utf8");
if (!template.includes('["__SAKHI_PRECACHE__"]') || !template.includes("__SAKHI_VERSION__")) {
  console.error("precache.mjs: sw.js has no placeholders to fill; was it already processed?");
  process.exit(1);
}
const worker = template
  .replace('["__SAKHI_PRECACHE__"]', JSON.stringify(shell.map(({ url }) => url)))
  .replace("__SAKHI_VERSION__", version);
writeFileSync(swPath, worker);

// Not sw.js: the browser checks it for updates byte by byte, and it is small. Licence texts too:
// pdf.js's come with it, and the service worker fetches them with the rest.
const compressible = /(\.(html|js|mjs|wasm|css|webmanifest|json|svg)|\/LICENSE\w*)$/;
for (const path of files(staging).filter((p) => compressible.test(p) && p !== swPath)) {
  const raw = readFileSync(path);
  const brotli = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
}
console.log(`precache.mjs: ${shell.length} files, version ${version}, compressed`);
