"use strict";
/**
 * V8 code caches for the bundled command line (dist/cli-bundle). Compiling the start-up and
 * `run` chunks (commander, zod, the model loader, the engine: ~1 MB of JavaScript) is a good
 * part of what every command pays before doing anything; Node 20 keeps no compile cache of
 * its own. `npm run build` runs a few commands once with `record` set and saves, for each
 * chunk they loaded, V8's cache of what it compiled (`<chunk>.v8cache`, beside the chunk);
 * later runs hand it to V8 instead of parsing and compiling those functions again.
 *
 * V8 accepts a cache after checking only the source's length (plus its own version and
 * flags), not its text: a cache is therefore only kept for chunks whose file name holds a
 * hash of their content (`run-D90TdrmN.cjs`), and the build empties the folder first, so a
 * cache never meets a different text of the same name. A cache V8 rejects (another Node
 * version, other V8 flags) costs nothing but the time it would have saved: the chunk is
 * compiled from its source as usual.
 */
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

/** Chunks whose name holds their content's hash: the entry (main.cjs) is a few lines and unhashed. */
const HASHED_CHUNK = /-[\w-]{8,}\.cjs$/;
const CACHE_SUFFIX = ".v8cache";

/** The scripts compiled while recording, whose caches saveCodeCaches writes. */
const recorded = [];

function readCache(filename) {
  try {
    return fs.readFileSync(filename + CACHE_SUFFIX);
  } catch {
    return undefined;
  }
}

/**
 * Compiles the hashed chunks of `dir` with their code caches (when `record` is false) or
 * keeps their scripts for saveCodeCaches (when it is true); every other file is compiled by
 * Node as usual. Recording skips chunks that call `import()`: a script compiled by node:vm
 * needs an experimental option for that (Node prints a warning), so they get no cache.
 */
function useCodeCache(dir, record) {
  const folder = path.resolve(dir) + path.sep;
  const nodeCompile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename, format) {
    if (!filename.startsWith(folder) || filename.includes(path.sep, folder.length) || !HASHED_CHUNK.test(filename)) return nodeCompile.call(this, content, filename, format);
    const cachedData = record ? undefined : readCache(filename);
    if (record ? content.includes("import(") : cachedData === undefined) return nodeCompile.call(this, content, filename, format);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (record) recorded.push({ script, filename });
    // Run as Node runs a module: its wrapper called on (exports, require, module, __filename,
    // __dirname), the require resolving from the chunk's own file (Node's public createRequire).
    const wrapper = script.runInThisContext({ displayErrors: true });
    return Reflect.apply(wrapper, this.exports, [this.exports, Module.createRequire(filename), this, filename, path.dirname(filename)]);
  };
}

/** Writes the cache of every script compiled while recording: what V8 compiled so far, the functions the commands ran included. */
function saveCodeCaches() {
  for (const { script, filename } of recorded) fs.writeFileSync(filename + CACHE_SUFFIX, script.createCachedData());
}

module.exports = { useCodeCache, saveCodeCaches };
