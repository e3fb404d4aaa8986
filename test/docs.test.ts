import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./support/cli.js";

/**
 * docs/models.md shows only figures that a command beside it produces. Each `## ` section
 * declares its commands — in ```text blocks that start with `$ burnrate …` (the block's
 * other lines are an excerpt of the output, in order; a line `…` skips any lines) and in
 * ```sh blocks (one command a line). This test runs every command, checks every excerpt
 * against the real output, and checks that every figure written in the section's prose
 * (amounts, percentages, ratios, months) is in the output of one of its commands.
 */
const root = join(import.meta.dirname, "..");
const DOC = "docs/models.md";

interface Section {
  title: string;
  prose: string[];
  excerpts: { command: string; lines: string[] }[];
  commands: string[];
}

function parseDoc(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { title: "(top)", prose: [], excerpts: [], commands: [] };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("## ")) {
      sections.push(current);
      current = { title: line.slice(3), prose: [], excerpts: [], commands: [] };
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
      if (fence[1] === "text" && /^\$ (npx )?burnrate /.test(body[0] ?? "")) {
        const command = body[0].replace(/^\$ (npx )?burnrate /, "");
        current.excerpts.push({ command, lines: body.slice(1) });
        current.commands.push(command);
      } else if (fence[1] === "sh") {
        for (const c of body) if (/^(npx )?burnrate /.test(c.trim())) current.commands.push(c.trim().replace(/^(npx )?burnrate /, ""));
      }
      continue;
    }
    current.prose.push(line);
  }
  sections.push(current);
  return sections;
}

/** Splits a command line like a shell would (single and double quotes). */
function argv(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const outputs = new Map<string, string>();
async function output(command: string): Promise<string> {
  let text = outputs.get(command);
  if (text === undefined) {
    const r = await runCli(...argv(command));
    expect(r.code, `burnrate ${command}: ${r.stderr}`).toBe(0);
    text = r.stdout;
    outputs.set(command, text);
  }
  return text;
}

/** Every number in a text, as an absolute value. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?/g)].map((m) => Number(m[0].replace(/,/g, "")));
}

interface ProseFigure {
  text: string;
  value: number;
  /** Half a unit of the last digit written, in the value's scale. */
  tolerance: number;
  kind: "number" | "month";
}

/** The figures written in prose: amounts ($4.9B, 4,934), percentages, ratios, months; not years, IDs, paragraphs or counts below 20. */
function proseFigures(line: string): ProseFigure[] {
  const text = line.replace(/`[^`]*`/g, " ").replace(/\[[^\]]*\]\([^)]*\)/g, " ");
  const out: ProseFigure[] = [];
  for (const m of text.matchAll(/\b(\d{4})-(0[1-9]|1[0-2])\b(?![-\d])/g)) out.push({ text: m[0], value: 0, tolerance: 0, kind: "month" });
  const cleaned = text
    .replace(/\b\d{4}-(0[1-9]|1[0-2])\b/g, " ")
    .replace(/\b\d{4}-Q[1-4]\b/g, " ")
    .replace(/\b[A-Z][A-Z0-9]*-\d+\b/g, " ")
    .replace(/¶\s?\d+/g, " ")
    .replace(/\b(?:Q[1-4]|H[12]|FY\d{2,4}|9M|\d+M-\d{4})\b/g, " ")
    .replace(/\bseed \d{3}\b/g, " ");
  for (const m of cleaned.matchAll(/(\$)?(\d[\d,]*(?:\.(\d+))?)\s?(B\b|bn\b|billion\b|M\b|million\b|k\b|%|×|bp\b|pp\b)?/g)) {
    const raw = m[2];
    const value = Number(raw.replace(/,/g, ""));
    const decimals = m[3]?.length ?? 0;
    const unit = m[4];
    if (!unit && !m[1] && /^(19|20)\d\d$/.test(raw)) continue; // a year
    if (!unit && !m[1] && value < 20 && decimals === 0) continue; // a count (four contracts, 6 years)
    const scale = unit === "B" || unit === "bn" || unit === "billion" ? 1000 : unit === "k" ? 0.001 : 1;
    out.push({ text: m[0], value: value * scale, tolerance: 0.5 * 10 ** -decimals * scale + 1e-9, kind: "number" });
  }
  return out;
}

async function checkExcerpt(e: { command: string; lines: string[] }): Promise<void> {
  const got = (await output(e.command)).split("\n").map((l) => l.trimEnd());
  let at = 0;
  let skipping = true; // the first line may be anywhere in the output
  for (const want of e.lines.map((l) => l.trimEnd())) {
    if (want.trim() === "…") {
      skipping = true;
      continue;
    }
    const found = skipping ? got.indexOf(want, at) : got[at] === want ? at : -1;
    expect(found, `burnrate ${e.command}: the excerpt line\n  ${want}\nis not in the output at line ${at + 1} or after:\n${got.slice(at, at + 8).join("\n")}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
    skipping = false;
  }
}

describe("README.md", () => {
  const readme = parseDoc(readFileSync(join(root, "README.md"), "utf8")).flatMap((s) => s.excerpts);
  it("shows the real output of the run it quotes", async () => {
    const runs = readme.filter((e) => e.command.startsWith("run "));
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const e of runs) await checkExcerpt(e);
  });
  it("shows the real output of the simulation it quotes (same seed, same figures)", async () => {
    const simulations = readme.filter((e) => e.command.startsWith("simulate "));
    expect(simulations.length).toBeGreaterThanOrEqual(1);
    for (const e of simulations) await checkExcerpt(e);
  }, 120_000);
});

describe("docs/models.md", () => {
  const sections = parseDoc(readFileSync(join(root, DOC), "utf8"));

  it("declares commands in every section that shows figures", () => {
    const withFigures = sections.filter((s) => s.prose.some((l) => proseFigures(l).length > 0));
    for (const s of withFigures) expect(s.commands.length, `section "${s.title}" has figures but no command`).toBeGreaterThan(0);
    expect(sections.reduce((n, s) => n + s.excerpts.length, 0)).toBeGreaterThanOrEqual(8);
  });

  for (const section of sections) {
    if (section.commands.length === 0) continue;
    it(`"${section.title}": every excerpt is the command's output and every figure in the prose comes from a command`, async () => {
      for (const e of section.excerpts) await checkExcerpt(e);
      const texts = await Promise.all(section.commands.map(output));
      const all = texts.join("\n");
      const numbers = numbersIn(all);
      for (const line of section.prose) {
        for (const f of proseFigures(line)) {
          if (f.kind === "month") expect(all.includes(f.text), `"${f.text}" (${section.title}) is in no command's output`).toBe(true);
          else expect(numbers.some((n) => Math.abs(n - f.value) <= f.tolerance), `"${f.text}" in "${line.trim().slice(0, 120)}" (${section.title}) is in no command's output`).toBe(true);
        }
      }
    });
  }
});
