import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { parseWhole } from "../options.js";
import { UsageError } from "../../model/issues.js";

/**
 * `burnrate serve`: the HTTP API and dashboard over an embedded store. The server
 * (fastify, better-sqlite3) is imported only when the command runs, so that the rest
 * of the CLI starts fast.
 */
export function registerServe(program: Command, io: CliIO): void {
  program
    .command("serve")
    .description("serve the API and the dashboard over an embedded SQLite store (models with versions, cached runs, background jobs)")
    .option("--db <path>", "SQLite file, created on first start and seeded with the shipped models", "burnrate.db")
    .option("--host <host>", "address to listen on; anything but loopback needs a token", "127.0.0.1")
    .option("--port <n>", "port (0: any free one)", "8080")
    .option("--token <token>", "require this token on every API call (default: BURNRATE_TOKEN; generated and printed when the host is not loopback)")
    .option("--cors <origins...>", "allow browser pages on these origins to call the API (none by default)")
    .option("--jobs <n>", "jobs running at once (default: cores − 1)")
    .option("--max-paths <n>", "most Monte Carlo paths one job may ask for", "10000000")
    .option("--job-time-limit <seconds>", "stop a job after this long, keeping its partial result", "600")
    .option("--no-seed", "do not seed an empty store with the shipped models")
    .option("--log-level <level>", "fatal | error | warn | info | debug (JSON lines on stderr)", "info")
    .option("--backup <path>", "copy the store (--db) to a new file while it may be in use, and exit")
    .action(async (options: { db: string; host: string; port: string; token?: string; cors?: string[]; jobs?: string; maxPaths: string; jobTimeLimit: string; seed: boolean; logLevel: string; backup?: string }) => {
      const server = await import("../../server/start.js");
      if (options.backup) {
        try {
          const { pages } = await server.backupStore(options.db, options.backup);
          io.out(`burnrate serve: copied ${options.db} to ${options.backup} (${pages} pages)\n`);
        } catch (error) {
          throw new UsageError("backup_failed", (error as Error).message);
        }
        return;
      }
      const port = parseWhole(options.port, "--port");
      if (port < 0 || port > 65535) throw new UsageError("bad_option", `--port must be from 0 to 65535 (got ${port})`);
      const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
      if (!levels.includes(options.logLevel)) throw new UsageError("bad_option", `--log-level must be one of ${levels.join(", ")}`);
      const jobs = options.jobs !== undefined ? parseWhole(options.jobs, "--jobs") : undefined;
      if (jobs !== undefined && (jobs < 1 || jobs > 64)) throw new UsageError("bad_option", `--jobs must be from 1 to 64 (got ${jobs})`);
      const maxPaths = parseWhole(options.maxPaths, "--max-paths");
      if (maxPaths < 1) throw new UsageError("bad_option", "--max-paths must be at least 1");
      const limit = parseWhole(options.jobTimeLimit, "--job-time-limit");
      if (limit < 1) throw new UsageError("bad_option", "--job-time-limit must be at least 1 second");
      const token = options.token ?? (process.env.BURNRATE_TOKEN || undefined);
      if (token !== undefined && token.length < 16) throw new UsageError("bad_option", "a token must be at least 16 characters (let burnrate generate one: leave --token out off loopback)");
      try {
        await server.startServer({
          db: options.db,
          host: options.host,
          port,
          token,
          corsOrigins: options.cors ?? [],
          jobConcurrency: jobs,
          maxJobPaths: maxPaths,
          jobTimeLimitMs: limit * 1000,
          seed: options.seed,
          logger: { level: options.logLevel, redact: ["req.headers.authorization", "req.headers.cookie"], stream: process.stderr },
          print: (line) => io.out(line + "\n"),
        });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        if (e.code === "EADDRINUSE") throw new UsageError("port_in_use", `port ${port} is in use on ${options.host}; give another with --port (0 picks a free one)`);
        if (e.code === "EACCES") throw new UsageError("port_denied", `not allowed to listen on ${options.host}:${port}; use a port above 1023`);
        if (e.code === "SQLITE_CANTOPEN" || e.code === "SQLITE_NOTADB" || e.code === "SQLITE_CORRUPT") throw new UsageError("bad_store", `${options.db}: ${e.message}`);
        throw error;
      }
      // Keep running: the server holds the event loop open until a signal stops it.
      await new Promise<never>(() => {});
    });
}
