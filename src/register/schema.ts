import { z } from "zod";
import { REGISTER_ID_RE } from "./ids.js";

/**
 * The source register: one entry per published figure a model cites, written for the
 * project (what the figure is, who published it, where and when, how sure we are), so
 * that a citation such as `[XA-02]` can be followed from the repository alone.
 *
 *   entries:
 *     XA-02:
 *       figure: xAI expected about $500M of revenue in 2025
 *       measure: revenue, full-year projection (June 2025 investor materials)
 *       values: [{ value: 500, unit: USD millions, what: 2025 revenue }]
 *       publisher: TechSpot, reporting Bloomberg
 *       address: https://www.techspot.com/news/…
 *       date: 2025-06-19
 *       confidence: secondary
 */
export const CONFIDENCE = ["confirmed", "company", "secondary", "derived", "conflict", "unconfirmed", "seed"] as const;
export type Confidence = (typeof CONFIDENCE)[number];

export const CONFIDENCE_MEANING: Record<Confidence, string> = {
  confirmed: "read in a primary filing, statute or company release",
  company: "a company or executive statement, read through a secondary report",
  secondary: "a press report (of private documents, or a re-publication of a release)",
  derived: "arithmetic on other entries (derivedFrom)",
  conflict: "sources disagree; the entry records the versions",
  unconfirmed: "could not be verified; a model that uses it marks it as an assumption",
  seed: "a figure as one of burnrate's seed articles states it; its original sources are linked",
};

const ID_TEXT = REGISTER_ID_RE;
export { REGISTER_ID_RE };

const dateText = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, "expected a date as YYYY-MM-DD (or YYYY-MM, or YYYY when only the year is known)")
  .describe("Publication date of the address read (YYYY-MM-DD; YYYY-MM or YYYY when that is all that is known).");

const finite = z.number().refine(Number.isFinite, "expected a finite number");

export const figureValueSchema = z
  .strictObject({
    value: z
      .union([finite, z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a figure is a number or a month YYYY-MM")])
      .optional()
      .describe("The figure as published, in `unit` (a number), or a month YYYY-MM."),
    range: z.tuple([finite, finite]).optional().describe("A published range [low, high] in `unit`, instead of `value`."),
    unit: z
      .string()
      .min(1)
      .optional()
      .describe("USD, USD thousands, USD millions, USD billions (amounts, compared in the model's unit); USD per X (prices, as written); percent; bp; years; months; GW; MW; kW; US cents per kWh; or any other word (compared as written)."),
    what: z.string().min(1).optional().describe("Which figure this is, e.g. '2025 revenue'."),
  })
  .refine((v) => (v.value === undefined) !== (v.range === undefined), "give either `value` or `range`");

const addressSchema = z.string().regex(/^https?:\/\/\S+$/, "expected a web address starting with http:// or https://");

export const registerEntrySchema = z.strictObject({
  figure: z.string().min(1).describe("The figure, in the project's words."),
  measure: z.string().min(1).describe("What kind of figure it is: GAAP revenue, adjusted EBITDA, cash burn, projection, run-rate, contract value 'up to', …"),
  values: z.array(figureValueSchema).default([]).describe("The figure(s) as numbers, for `check --strict` to compare with the inputs that cite the entry."),
  publisher: z.string().min(1).optional().describe("Who published what was read (and whose reporting it carries)."),
  address: addressSchema.optional().describe("Where it was read."),
  date: dateText.optional(),
  alsoAt: z
    .array(z.strictObject({ publisher: z.string().min(1), address: addressSchema.optional(), date: dateText.optional() }))
    .default([])
    .describe("Other places that report the same figure."),
  derivedFrom: z.array(z.string().regex(ID_TEXT, "register IDs look like XA-01")).default([]).describe("For derived entries: the entries the arithmetic uses."),
  confidence: z.enum(CONFIDENCE).describe(`How strong the evidence is: ${CONFIDENCE.map((c) => `${c} (${CONFIDENCE_MEANING[c]})`).join("; ")}.`),
  note: z.string().optional(),
});

export const registerFileSchema = z.strictObject({
  title: z.string().optional(),
  description: z.string().optional(),
  entries: z.record(z.string().regex(ID_TEXT, "register IDs are capitals and digits with hyphens, e.g. XA-01, CW-40, S000-10"), registerEntrySchema),
});

export type RegisterEntryInput = z.input<typeof registerEntrySchema>;
export type RegisterEntryData = z.output<typeof registerEntrySchema>;
export type FigureValue = z.output<typeof figureValueSchema>;
