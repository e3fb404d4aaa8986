"use strict";
// Run by scripts/bundle-cli.mjs after bundling: runs the commands given (JSON, argv[2]) one
// after another in this process, from the bundle in dist/cli-bundle, and saves beside each
// chunk they loaded V8's code cache of it (bin/codeCache.cjs). Exits 1, naming the command,
// if one fails. Standard output is the commands' own and is thrown away by the build.
const path = require("node:path");
const { useCodeCache, saveCodeCaches } = require("../bin/codeCache.cjs");

const bundleDir = path.join(__dirname, "..", "dist", "cli-bundle");
const commands = JSON.parse(process.argv[2]);

useCodeCache(bundleDir, true);
const { main } = require(path.join(bundleDir, "main.cjs"));

(async () => {
  for (const args of commands) {
    const code = await main([process.execPath, "burnrate", ...args]);
    if (code !== 0) {
      process.stderr.write(`recording the code caches: \`burnrate ${args.join(" ")}\` exited with ${code}\n`);
      process.exit(1);
    }
  }
  saveCodeCaches();
})();
