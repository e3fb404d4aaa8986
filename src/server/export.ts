import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { route } from "./openapi.js";
import { ApiError } from "./errors.js";
import type { Models } from "./services.js";
import { modelSourceSchema } from "./schemas.js";

/** Paths an export may simulate: it runs in the server's thread, so it stays small (jobs are for large runs). */
export const MAX_EXPORT_PATHS = 10_000;

export const exportRequestSchema = z
  .object({
    model: modelSourceSchema,
    format: z.enum(["xlsx", "csv", "html", "pdf"]).describe("xlsx: workbook with live formulas; csv: tables; html or pdf: the report"),
    scenarios: z.array(z.string().min(1).max(200)).max(10).optional().describe("scenarios to compare with the base case (the first one's statements are shown)"),
    simulate: z.object({ paths: z.number().int().min(1).max(MAX_EXPORT_PATHS), seed: z.number().int().min(0).default(1) }).strict().optional().describe(`add a Monte Carlo run (at most ${MAX_EXPORT_PATHS.toLocaleString("en-US")} paths here; larger runs are jobs)`),
    metric: z.string().min(1).max(200).optional().describe("tornado of this metric (xlsx: a Sensitivity sheet; the report: default minCash)"),
    lang: z.enum(["en", "ar"]).default("en").describe("report language"),
    period: z.enum(["month", "quarter", "year"]).default("month").describe("csv: periods"),
    precision: z.union([z.number().int().min(0).max(15), z.literal("full")]).default(6).describe("csv: decimals kept"),
    tidy: z.boolean().default(false).describe("csv: one long table; otherwise the answer is JSON {files: [{name, text}]}"),
  })
  .strict();

const TYPES = { xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", html: "text/html; charset=utf-8", pdf: "application/pdf", csv: "text/csv; charset=utf-8" } as const;

/** `POST /api/export`: the exports of `burnrate export` as a download (exceljs and the report load on first use). */
export function registerExport(app: FastifyInstance, models: Models): void {
  route(app, {
    method: "POST",
    url: "/api/export",
    summary: "Export a model as `burnrate export` does: Excel with live formulas, CSV, or the report as HTML or PDF",
    tags: ["commands"],
    body: exportRequestSchema,
    responses: { 200: { description: "the file (content-disposition: attachment), or JSON {files} for csv without tidy" }, 400: { description: "bad options" }, 422: { description: "invalid model" } },
    handler: async ({ body, reply }) => {
      const m = await models.resolve(body.model);
      const exporter = await import("../export/index.js");
      const data = await exporter.prepareExport(m.text, m.file, {
        scenarios: body.scenarios ?? [],
        simulate: body.simulate ? { paths: body.simulate.paths, seed: body.simulate.seed } : null,
        sensitivityMetric: body.format === "html" || body.format === "pdf" ? (body.metric ?? "minCash") : body.format === "xlsx" ? (body.metric ?? null) : null,
      });
      const stem = (m.modelId ?? m.file.replace(/\.(ya?ml|json)$/i, "")).replace(/[^A-Za-z0-9._-]/g, "_") + (body.scenarios?.length === 1 ? `-${body.scenarios[0].replace(/[^A-Za-z0-9._-]/g, "_")}` : "");
      const attach = (name: string) => reply.header("content-disposition", `attachment; filename="${name}"`);
      switch (body.format) {
        case "xlsx":
          return attach(`${stem}.xlsx`).type(TYPES.xlsx).send(Buffer.from(await exporter.exportWorkbook(data)));
        case "csv": {
          const files = exporter.exportCsv(data, { precision: body.precision, tidy: body.tidy, period: body.period });
          if (body.tidy) return attach(`${stem}.csv`).type(TYPES.csv).send(files[0].text);
          return { files };
        }
        case "html":
        case "pdf": {
          const { renderReportHtml } = await import("../export/report/html.js");
          const html = renderReportHtml(data, { lang: body.lang });
          const name = `${stem}${body.lang === "en" ? "" : `.${body.lang}`}.${body.format}`;
          if (body.format === "html") return attach(name).type(TYPES.html).send(html);
          const { printPdf } = await import("../export/report/pdf.js");
          return attach(name).type(TYPES.pdf).send(Buffer.from(await printPdf(html, { footer: data.main.result.model })));
        }
      }
      throw new ApiError(400, "bad_request", "unknown format");
    },
  });
}
