#!/usr/bin/env node
"use strict";
// CommonJS, as the bundled command line is: starting from it, Node sets up no ES module
// loader (a few ms) and builds no ES facades of the built-ins the bundle requires.
const fs = require("node:fs");
const path = require("node:path");

const bundleDir = path.join(__dirname, "..", "dist", "cli-bundle");

/**
 * The bundled command line (dist/cli-bundle, built by `npm run build`) starts faster than
 * the ~190 files tsc emits; it is used while it is newer than dist/cli/main.js — tsc
 * rewrites every file it emits, so after a plain `tsc` the files it just wrote run instead
 * of a stale bundle. Its worker threads take the built-ins from process.getBuiltinModule
 * (Node ≥ 20.16); older Nodes run tsc's files.
 */
function bundleIsFresh() {
  if (typeof process.getBuiltinModule !== "function") return false;
  try {
    return fs.statSync(path.join(bundleDir, "main.cjs")).mtimeMs >= fs.statSync(path.join(__dirname, "..", "dist", "cli", "main.js")).mtimeMs;
  } catch {
    return false;
  }
}

function start(main) {
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
}

if (bundleIsFresh()) {
  // The chunks compile from the V8 code caches the build saved beside them (bin/codeCache.cjs).
  require("./codeCache.cjs").useCodeCache(bundleDir, false);
  start(require("../dist/cli-bundle/main.cjs").main);
} else {
  import("../dist/cli/main.js").then(({ main }) => start(main));
}
