#!/usr/bin/env node
// Bundles the command line (dist/cli/main.js, built by tsc) into a few CommonJS files in
// dist/cli-bundle/: one file for start-up (commander, every command's definition) and a
// chunk per lazily imported part (a command's work, zod and yaml with the model loader,
// the server, exports …). Node then resolves and compiles a handful of files instead of
// ~190 (zod alone is 95), which is most of what `burnrate --help` and `burnrate run` paid
// for before doing anything. CommonJS rather than ES modules: Node then sets up no ES module
// loader and builds no ES facades of built-ins, and the chunks can be compiled from V8 code
// caches saved at the end of the build (bin/codeCache.cjs). bin/burnrate.cjs uses the bundle
// only while it is newer than dist/cli/main.js (tsc rewrites every file it emits), so a
// plain `tsc` never runs stale code.
import { rolldown } from "rolldown";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const outDir = join(dist, "cli-bundle");

/**
 * Packages loaded as they are, from node_modules: the server and export stacks (native
 * addons, worker-thread transports, files read beside their code) load only in the commands
 * that use them, so bundling them would gain nothing at start-up and risk their behaviour.
 */
const EXTERNAL = ["fastify", "@fastify/", "better-sqlite3", "pino", "exceljs", "playwright-core", "autocannon"];
const isExternal = (id) => EXTERNAL.some((p) => id === p || id.startsWith(p.endsWith("/") ? p : `${p}/`));

/**
 * Code that finds files beside itself (worker threads, the dashboard's folder) reads
 * import.meta.url; in a chunk it would name the chunk (in the CommonJS chunks rolldown writes
 * it as the URL of the chunk's __filename). Each such module gets its own file's URL back,
 * computed from the chunk's (all chunks sit in outDir).
 */
const ownUrl = (chunkDir) => ({
  name: "burnrate-own-import-meta-url",
  transform(code, id) {
    if (!id.startsWith(dist + sep) || !code.includes("import.meta.")) return null;
    // Only import.meta.url is translated; anything else would name the chunk's folder.
    const other = code.match(/import\.meta\.(?!url\b)\w+/);
    if (other) this.error(`${relative(root, id)} reads ${other[0]}: use import.meta.url (scripts/bundle-cli.mjs gives each module its own)`);
    const path = relative(chunkDir, id).split(sep).join("/");
    return { code: code.replaceAll("import.meta.url", `new URL(${JSON.stringify(path)}, import.meta.url).href`), map: null };
  },
});

/**
 * Worker threads of simulations, bundled apart (workerDir): a worker then compiles a few
 * files instead of the ~185 modules tsc emits (a fifth of a second of CPU in each worker at
 * every run). The modules that start them are pointed at the bundled scripts.
 */
const workerDir = join(outDir, "workers");
const WORKERS = {
  "system-worker": { script: join(dist, "system", "worker.js"), startedBy: join(dist, "system", "simulateSystem.js") },
  "simulate-worker": { script: join(dist, "uncertainty", "worker.js"), startedBy: join(dist, "uncertainty", "simulate.js") },
};
const bundledWorkers = {
  name: "burnrate-bundled-workers",
  transform(code, id) {
    const entry = Object.entries(WORKERS).find(([, w]) => w.startedBy === id);
    if (!entry) return null;
    // Runs after ownUrl: `here` is the module's own URL, import.meta.url the chunk's (in outDir).
    const own = 'return new URL("./worker.js", here);';
    if (!code.includes(own)) this.error(`${relative(root, id)} no longer finds its worker as scripts/bundle-cli.mjs expects: update bundledWorkers`);
    const bundled = relative(outDir, join(workerDir, `${entry[0]}.js`)).split(sep).join("/");
    return { code: code.replace(own, `return new URL(${JSON.stringify(`./${bundled}`)}, import.meta.url);`), map: null };
  },
};

/**
 * commander loads node:child_process (and with it net, dgram, …) for executable subcommands
 * (`git-style` commands run as separate programs), which burnrate does not define: it is
 * loaded the first time one would be spawned.
 */
const lazyChildProcess = {
  name: "burnrate-lazy-child-process",
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    const eager = "const childProcess = require('node:child_process');";
    if (!code.includes(eager) || (code.match(/childProcess\.\w+/g) ?? []).some((use) => use !== "childProcess.spawn")) this.error("commander's use of node:child_process changed: update lazyChildProcess in scripts/bundle-cli.mjs");
    return { code: code.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), map: null };
  },
};

/**
 * An ES import of a Node built-in (`import { statSync } from "node:fs"`) makes Node build an
 * ES module facade of it, reading every export — node:fs's getters then load the streams and
 * fs/promises, node:crypto's webcrypto: ~10 ms of start-up for nothing. The worker bundles
 * (ES modules: a worker thread starts from a URL) take the built-ins from
 * process.getBuiltinModule instead (Node ≥ 20.16; bin/burnrate.cjs runs tsc's files on older
 * Nodes); the command line's CommonJS chunks require them, which builds no facade. Built-ins
 * never change, so the bindings need not be live.
 */
const BUILTIN_IMPORT = /^import (?:\{([^}]*)\}|\* as (\w+)) from "(node:[\w/]+)";$/gm;
const builtinsWithoutFacades = {
  name: "burnrate-builtins-without-facades",
  renderChunk(code) {
    const rest = code.replace(BUILTIN_IMPORT, (_, names, namespace, builtin) => {
      const binding = namespace ?? `{ ${names.split(",").map((n) => n.trim().replace(/\s+as\s+/, ": ")).filter(Boolean).join(", ")} }`;
      return `const ${binding} = process.getBuiltinModule(${JSON.stringify(builtin)});`;
    });
    if (/^import [^;]*from "node:/m.test(rest)) this.error(`an import of a Node built-in in a form scripts/bundle-cli.mjs does not translate: ${rest.match(/^import [^;]*from "node:[^"]*";/m)?.[0]}`);
    return { code: rest, map: null };
  },
};

// Emptied first: no chunk of an earlier build, nor its code cache, stays beside the new ones
// (V8 checks a cache only against its source's length: bin/codeCache.cjs).
rmSync(outDir, { recursive: true, force: true });
const bundle = await rolldown({
  input: { main: join(dist, "cli", "main.js") },
  platform: "node",
  external: (id) => isExternal(id),
  plugins: [ownUrl(outDir), bundledWorkers, lazyChildProcess],
  logLevel: "warn",
});
/**
 * Chunks: everything start-up loads in the entry file; zod; everything else `burnrate run`
 * then loads (the model loader, yaml, the engine: the action's `await import()`s and what
 * they import) in one chunk; the rest split by rolldown, each part loaded by the commands
 * that use it. Other commands that load a model share the run chunk.
 */
const RUN_IMPORTS = ["node/loadFile.js", "commands/run.js", "model/suggest.js"].map((f) => join(dist, f));
const codeSplitting = {
  groups: [
    { name: "main", tags: ["$initial"], priority: 2 },
    // Its own chunk: the CLI configures zod (src/cli/main.ts) before any schema is built.
    { name: "zod", test: /[\\/]node_modules[\\/]zod[\\/]/, priority: 1.5 },
    { name: "run", test: (id) => RUN_IMPORTS.includes(id), priority: 1 },
  ],
};
/**
 * CommonJS, with the content's hash in every chunk's name (the code caches rely on it:
 * bin/codeCache.cjs). ASCII only (other characters escaped): V8 keeps a source with any other
 * character as two bytes a character, and reads it slower. Comments only where a licence
 * requires them: the rest is text V8 would scan at every start for nothing.
 */
const { output } = await bundle.write({
  dir: outDir,
  format: "cjs",
  entryFileNames: "[name].cjs",
  chunkFileNames: "[name]-[hash].cjs",
  charset: "ascii",
  comments: { legal: true, annotation: false, jsdoc: false },
  sourcemap: false,
  codeSplitting,
});
await bundle.close();

// Which modules each chunk holds (paths relative to the package): test/startup.test.ts
// reads it to check that start-up loads no heavy module.
const modules = {};
for (const item of output) if (item.type === "chunk") modules[item.fileName] = item.moduleIds.map((m) => relative(root, m).split(sep).join("/")).filter((m) => !m.startsWith("\0"));
writeFileSync(join(outDir, "modules.json"), JSON.stringify(modules, null, 1) + "\n");
const bytes = output.filter((o) => o.type === "chunk").reduce((s, o) => s + Buffer.byteLength(o.code), 0);

const workerBundle = await rolldown({
  input: Object.fromEntries(Object.entries(WORKERS).map(([name, w]) => [name, w.script])),
  platform: "node",
  external: (id) => isExternal(id),
  plugins: [ownUrl(workerDir), builtinsWithoutFacades],
  logLevel: "warn",
});
const { output: workerOutput } = await workerBundle.write({ dir: workerDir, format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", sourcemap: false });
await workerBundle.close();
const workerBytes = workerOutput.filter((o) => o.type === "chunk").reduce((s, o) => s + Buffer.byteLength(o.code), 0);
console.log(`cli bundle: ${Object.keys(modules).length} files, ${(bytes / 1024).toFixed(0)} kB in ${relative(root, outDir)}; workers: ${workerOutput.length} files, ${(workerBytes / 1024).toFixed(0)} kB`);

/**
 * V8 code caches of the chunks that start-up and the common commands load (bin/codeCache.cjs):
 * a child runs these commands from the new bundle and saves them. They are build output, like
 * the chunks, and valid only for the Node that wrote them (any other is silently ignored).
 * The child gets no NODE_OPTIONS: V8 rejects a cache written under other V8 flags.
 */
const RECORDED_COMMANDS = [
  ["--help"],
  ["run", "models/xai.yaml"],
  ["run", "models/coreweave.yaml"],
  ["check", "models/openai.yaml"],
  ["simulate", "models/xai.yaml", "-n", "200", "--threads", "1"],
  ["system", "run", "models/system.yaml"],
];
const { NODE_OPTIONS: _, ...childEnv } = process.env;
const recording = spawnSync(process.execPath, [join(root, "scripts", "record-code-caches.cjs"), JSON.stringify(RECORDED_COMMANDS)], { cwd: root, env: childEnv, stdio: ["ignore", "ignore", "inherit"] });
if (recording.status !== 0) {
  console.error(`scripts/bundle-cli.mjs: recording the code caches failed (${recording.error?.message ?? recording.signal ?? `exit ${recording.status}`})`);
  process.exit(1);
}
const caches = readdirSync(outDir).filter((f) => f.endsWith(".v8cache"));
console.log(`code caches: ${caches.length} chunks, ${(caches.reduce((s, f) => s + statSync(join(outDir, f)).size, 0) / 1024).toFixed(0)} kB`);
