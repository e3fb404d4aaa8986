import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

/**
 * docs/system.md and docs/scaling.md show only figures that a command beside them produces.
 * Each ```sh block holding a `burnrate …` command is followed by a ```text block of lines
 * copied from its output: every one of those lines must be in the command's output, whole.
 * Figures written in bold in the prose must appear in an output excerpt of the same section.
 * UPDATE_DOCS=1 rewrites excerpt lines whose numbers moved (same words, new figures).
 */
const root = join(import.meta.dirname, "..");
/** Outputs by command: a command shown in several places runs once. */
const cache = new Map<string, string[]>();

interface Pair {
  command: string;
  excerpt: string[];
  /** Offsets of the excerpt body in the file (for UPDATE_DOCS). */
  start: number;
  end: number;
  section: string;
}

function pairs(doc: string): Pair[] {
  const fences = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2], start: m.index! + 4 + m[1].length, end: m.index! + 4 + m[1].length + m[2].length }));
  const out: Pair[] = [];
  for (let i = 0; i + 1 < fences.length; i++) {
    const f = fences[i];
    const command = f.body.trim();
    if (f.lang !== "sh" || !/^burnrate /.test(command) || command.includes("\n") || fences[i + 1].lang !== "text") continue;
    const next = fences[i + 1];
    const before = doc.slice(0, f.start);
    const section = before.slice(before.lastIndexOf("\n## ") + 1).split("\n")[0];
    out.push({ command, excerpt: next.body.split("\n").filter((l) => l.trim() !== ""), start: next.start, end: next.end, section });
  }
  return out;
}

function args(command: string): string[] {
  return [...command.replace(/^burnrate /, "").matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** A line's words with its figures masked: two lines with the same shape say the same thing. */
const shape = (line: string) => line.replace(/\(?[-−]?[\d,]*\d(\.\d+)?\)?%?/g, "#").replace(/\s+/g, " ").trim();

for (const name of ["system.md", "scaling.md"]) {
  describe(`docs/${name}`, () => {
    const file = join(root, "docs", name);
    const doc = readFileSync(file, "utf8");
    const found = pairs(doc);
    const outputs = new Map<string, string[]>();

    it("shows commands with their output", () => {
      expect(found.length).toBeGreaterThan(name === "system.md" ? 4 : 0);
    });

    for (const pair of found) {
      it(`\`${pair.command}\` prints the lines shown`, async () => {
        let lines = outputs.get(pair.command) ?? cache.get(pair.command);
        if (!lines) {
          const r = await runCli(...args(pair.command));
          expect(r.code, r.stderr).toBe(0);
          lines = r.stdout.split("\n").map((l) => l.trimEnd());
        }
        outputs.set(pair.command, lines);
        cache.set(pair.command, lines);
        const missing = pair.excerpt.filter((l) => !lines.includes(l.trimEnd()));
        if (missing.length && process.env.UPDATE_DOCS) {
          const current = readFileSync(file, "utf8");
          const body = current.slice(pair.start, pair.end);
          const updated = body
            .split("\n")
            .map((l) => (l.trim() === "" || lines.includes(l.trimEnd()) ? l : (lines.find((o) => shape(o) === shape(l)) ?? l)))
            .join("\n");
          writeFileSync(file, current.slice(0, pair.start) + updated + current.slice(pair.end));
        }
        expect(missing, `lines of docs/${name} not in the output of \`${pair.command}\``).toEqual([]);
      }, 120_000);
    }

    it("writes in bold only figures that an excerpt of the same section shows", () => {
      const sections = doc.split(/\n(?=## )/);
      for (const section of sections) {
        const title = section.split("\n")[0];
        const excerpts = found.filter((p) => p.section === title).flatMap((p) => p.excerpt).join("\n");
        for (const m of section.matchAll(/\*\*([^*\n]+?)\*\*/g)) if (/\d/.test(m[1])) expect(excerpts, `${title}: **${m[1]}**`).toContain(m[1]);
      }
    });
  });
}
