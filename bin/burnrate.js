#!/usr/bin/env node
// Not `import … from "node:fs"`: Node would build an ES module facade of node:fs, loading its
// streams and promises API (~5 ms of start-up). The bundle takes built-ins the same way, so it
// runs only where process.getBuiltinModule exists (Node ≥ 20.16).
const fs = typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("node:fs") : null;

/**
 * The bundled command line (dist/cli-bundle, built by `npm run build`) starts faster than
 * the ~190 files tsc emits; it is used while it is newer than dist/cli/main.js — tsc
 * rewrites every file it emits, so after a plain `tsc` the files it just wrote run instead
 * of a stale bundle.
 */
function bundleIsFresh() {
  if (!fs) return false;
  try {
    return fs.statSync(new URL("../dist/cli-bundle/main.js", import.meta.url)).mtimeMs >= fs.statSync(new URL("../dist/cli/main.js", import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

const { main } = await import(bundleIsFresh() ? "../dist/cli-bundle/main.js" : "../dist/cli/main.js");

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Last-resort guard: the CLI reports its own errors; anything reaching here is a bug.
    process.stderr.write(`burnrate: internal error: ${error && error.message ? error.message : error}\n`);
    process.exitCode = 2;
  },
);
