import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { createServer } from "./app.js";
import { generateToken } from "./auth.js";
import { isLoopbackHost, type ServerOptions } from "./config.js";

export interface StartOptions extends ServerOptions {
  /** Where to print the address and the token (the CLI's stdout). */
  print: (line: string) => void;
}

/**
 * Starts `burnrate serve`: a token is required off loopback (given, from
 * BURNRATE_TOKEN, or generated and printed once); stops cleanly on SIGINT/SIGTERM
 * (running jobs are marked failed, the store is closed).
 */
export async function startServer(options: StartOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  let token = options.token ?? null;
  let generated = false;
  if (!token && !isLoopbackHost(host)) {
    token = generateToken();
    generated = true;
  }
  const db = options.db === ":memory:" ? options.db : resolve(options.db);
  const app = await createServer({ ...options, db, host, token });
  const address = await app.listen({ host, port: options.port ?? 8080 });
  const port = (app.server.address() as { port: number }).port;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  const count = (await app.burnrate.store.listModels()).length;
  options.print(`burnrate serve: listening on ${url} (store ${db}; ${count} model${count === 1 ? "" : "s"})`);
  options.print(`  dashboard ${url}/   API reference ${url}/api/docs`);
  if (token) {
    if (generated) options.print(`  token (shown once; give it with --token or BURNRATE_TOKEN next time): ${token}`);
    options.print(`  every API call needs \`Authorization: Bearer TOKEN\`; dashboard: ${url}/#token=${generated ? token : "TOKEN"}`);
  }
  void address;
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= app.close().then(() => undefined));
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    options.print(`burnrate serve: ${signal}, stopping`);
    void close().then(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return { url, close };
}

/**
 * A consistent copy of a store taken while a server may be using it (SQLite's online
 * backup: pages are copied from a read transaction, so writers are never blocked long).
 */
export async function backupStore(dbPath: string, target: string): Promise<{ pages: number }> {
  if (!existsSync(dbPath)) throw new Error(`${dbPath}: no such store`);
  if (existsSync(target)) throw new Error(`${target} exists already; give a new file name (a backup never overwrites)`);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const progress = await db.backup(target);
    return { pages: progress.totalPages };
  } finally {
    db.close();
  }
}
