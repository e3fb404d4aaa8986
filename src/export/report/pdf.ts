import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { UsageError } from "../../model/issues.js";

/** Debian's chromium; BURNRATE_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/**
 * Prints report HTML to PDF with headless Chromium through playwright-core, in a fresh
 * profile that is removed afterwards. Node only (the HTML itself is made anywhere).
 */
export async function printPdf(html: string, options: { chromium?: string; footer?: string } = {}): Promise<Uint8Array> {
  const executablePath = options.chromium ?? process.env.BURNRATE_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) throw new UsageError("no_chromium", `PDF needs Chromium at ${executablePath} (Debian: apt-get install chromium), or set BURNRATE_CHROMIUM; --format html gives the same report without it`);
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "burnrate-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, offline: true });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: "load" });
    // Wait for the fonts (Arabic shaping needs the font loaded before printing).
    await page.evaluate("document.fonts.ready.then(() => true)");
    const pdf = await page.pdf({
      format: "A4",
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: "<span></span>",
      footerTemplate: `<div style="font-size:7pt;color:#888;width:100%;text-align:center;font-family:'DejaVu Sans',sans-serif">${options.footer ?? ""} <span class="pageNumber"></span> / <span class="totalPages"></span></div>`,
    });
    return new Uint8Array(pdf);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
