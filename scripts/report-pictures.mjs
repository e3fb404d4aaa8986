#!/usr/bin/env node
// Renders the first page of the xAI report in English and Arabic to docs/report-{en,ar}.png
// (the pictures in the README), with the command the README shows:
//   npx burnrate export models/xai.yaml --format pdf --simulate 2000 --seed 1 [--lang ar]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "burnrate-pictures-"));
for (const lang of ["en", "ar"]) {
  const pdf = join(dir, `xai.${lang}.pdf`);
  execFileSync(process.execPath, [join(root, "bin", "burnrate.cjs"), "export", "models/xai.yaml", "--format", "pdf", "--simulate", "2000", "--seed", "1", "--lang", lang, "--out", pdf], { cwd: root, stdio: "inherit" });
  execFileSync("pdftoppm", ["-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, join(root, "docs", `report-${lang}`)], { stdio: "inherit" });
}
