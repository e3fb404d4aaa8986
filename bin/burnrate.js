#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

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
