// Builds the app into OUT_DIR (default ./dist): app/app.mjs bundled for the
// browser by esbuild, app/index.html beside it, and the trusted documents'
// persisted-query-manifest.json that generate-persisted-query-manifest
// makes from the app's operations (persisted-query-manifest.config.json).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { build } from "esbuild";

const here = import.meta.dirname;
const out = resolve(process.env.OUT_DIR ?? join(here, "dist"));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "app", "app.mjs")],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  define: { "globalThis.__DEV__": "false" },
  logLevel: "warning",
});
copyFileSync(join(here, "app", "index.html"), join(out, "index.html"));

// The generator writes where its config says (a folder it does not
// create); the manifest is then copied to out.
mkdirSync(join(here, "dist"), { recursive: true });
execFileSync(join(here, "node_modules", ".bin", "generate-persisted-query-manifest"), [], { cwd: here, stdio: "inherit" });
const manifest = readFileSync(join(here, "dist", "persisted-query-manifest.json"));
writeFileSync(join(out, "persisted-query-manifest.json"), manifest);
console.log(`built ${out}: app.js, index.html, persisted-query-manifest.json (${JSON.parse(manifest).operations.length} operations)`);
