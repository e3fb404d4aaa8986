import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

/**
 * The dashboard (web/) built into dist/web/, which `burnrate serve` serves at `/`.
 * The engine is imported from src/ through src/browser.ts (no node: modules).
 * `npx vite --config vite.config.ts` serves it for development, forwarding /api to a
 * `burnrate serve` on BURNRATE_API (default http://127.0.0.1:8787).
 */
export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  base: "./",
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    target: "es2022",
  },
  server: {
    proxy: { "/api": process.env.BURNRATE_API ?? "http://127.0.0.1:8787" },
  },
});
