import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { join, basename } from "node:path";
import { tmpdir } from "node:os";

/**
 * Recalculates .xlsx files with LibreOffice headless and returns the paths of the
 * recalculated copies. LibreOffice keeps the cached values of an .xlsx it opens unless told
 * otherwise, so each run gets a private profile whose settings say "always recalculate on
 * load" (Calc's OOXMLRecalcMode = 0); every file goes through one soffice process.
 */
export function recalculateWithLibreOffice(files: string[]): string[] {
  const root = mkdtempSync(join(tmpdir(), "burnrate-lo-"));
  const profile = join(root, "profile");
  mkdirSync(join(profile, "user"), { recursive: true });
  writeFileSync(
    join(profile, "user", "registrymodifications.xcu"),
    `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`,
  );
  const out = join(root, "out");
  mkdirSync(out);
  const r = spawnSync("soffice", [`-env:UserInstallation=file://${profile}`, "--headless", "--norestore", "--nologo", "--convert-to", "xlsx", "--outdir", out, ...files], { encoding: "utf8", timeout: 240_000 });
  if (r.status !== 0) throw new Error(`soffice failed (${r.status}): ${r.stderr}`);
  const produced = new Set(readdirSync(out));
  return files.map((f) => {
    const name = basename(f);
    if (!produced.has(name)) throw new Error(`soffice did not convert ${f}: ${r.stdout} ${r.stderr}`);
    return join(out, name);
  });
}
