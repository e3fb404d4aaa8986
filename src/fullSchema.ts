import { z } from "zod";
import { modelSchema } from "./model/schema.js";
import { targetSchema } from "./targets/schema.js";
import { uncertainSectionSchema, correlationSectionSchema } from "./uncertainty/spec.js";
import { gpuSectionsSchema } from "./gpu/schema.js";
import { caveatsSectionSchema } from "./caveats/index.js";
import { actualsListSchema } from "./actuals/schema.js";

/**
 * The whole file format for editors: the core model plus the sections later stages own
 * (targets, uncertainty, GPU cloud). Each stage still validates its own section; this
 * only joins their schemas so that `burnrate schema` describes every key.
 */
export const fullModelSchema = modelSchema.extend({
  targets: z.union([z.record(z.string(), targetSchema), z.array(targetSchema)]).optional().describe("Reported figures the model must reproduce (burnrate verify)."),
  uncertain: uncertainSectionSchema.optional().describe("Uncertain inputs and stochastic processes (burnrate simulate, sensitivity, solve)."),
  correlation: correlationSectionSchema.optional().describe("Rank correlations among uncertain inputs, imposed with Iman–Conover."),
  register: z.string().min(1).optional().describe("Path of the source register (relative to this file) whose IDs the citations name, e.g. ../sources/register.yaml."),
  caveats: caveatsSectionSchema.optional(),
  actuals: actualsListSchema.optional().describe("Reported figures by period, each with its source (burnrate actuals)."),
  ...gpuSectionsSchema.shape,
});

export function fullModelJsonSchema(): unknown {
  return z.toJSONSchema(fullModelSchema, { io: "input", unrepresentable: "any" });
}
