#!/usr/bin/env node
// The command line starts from bin/burnrate.cjs (package.json "bin"). This file stays for
// links made before it moved: npx keeps a link per project folder in its cache
// (~/.npm/_npx) that still names bin/burnrate.js after a `git pull && npm ci`, and without
// this file `npx burnrate` would answer "burnrate: not found" there.
import { createRequire } from "node:module";

createRequire(import.meta.url)("./burnrate.cjs");
