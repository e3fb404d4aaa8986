import { z } from "zod";
import { modelSchema } from "./model/schema.js";
import { targetSchema } from "./targets/schema.js";
import { uncertainSectionSchema, correlationSectionSchema } from "./uncertainty/spec.js";
import { gpuSectionsSchema } from "./gpu/schema.js";

/**
 * The whole file format for editors: the core model plus the sections later stages own
 * (targets, uncertainty, GPU cloud). Each stage still validates its own section; this
 * only joins their schemas so that `burnrate schema` describes every key.
 */
export const fullModelSchema = modelSchema.extend({
  targets: z.union([z.record(z.string(), targetSchema), z.array(targetSchema)]).optional().describe("Reported figures the model must reproduce (burnrate verify)."),
  uncertain: uncertainSectionSchema.optional().describe("Uncertain inputs and stochastic processes (burnrate simulate, sensitivity, solve)."),
  correlation: correlationSectionSchema.optional().describe("Rank correlations among uncertain inputs, imposed with Iman–Conover."),
  ...gpuSectionsSchema.shape,
});

export function fullModelJsonSchema(): unknown {
  return z.toJSONSchema(fullModelSchema, { io: "input", unrepresentable: "any" });
}
