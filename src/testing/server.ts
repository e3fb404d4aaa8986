import { mkdtempSync, rmSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createServer } from "../server/app.js";
import type { ServerOptions } from "../server/config.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** A server on a temporary store, seeded from a temporary models folder holding the given files (repository paths). */
export async function testServer(options: Partial<ServerOptions> & { seedFiles?: string[] } = {}): Promise<{ app: FastifyInstance; dir: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-serve-"));
  const modelsDir = join(dir, "models");
  mkdirSync(modelsDir);
  for (const f of options.seedFiles ?? []) copyFileSync(join(ROOT, f), join(modelsDir, f.split("/").pop()!));
  const { seedFiles, ...rest } = options;
  void seedFiles;
  const app = await createServer({ db: join(dir, "store.db"), logger: false, modelsDir, webDir: join(dir, "web"), ...rest });
  return {
    app,
    dir,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
