import { registerExtension } from "../engine/extensions.js";
import { GPU_SECTIONS } from "./schema.js";
import { validateGpu } from "./validate.js";
import { gpuRangeProblem } from "./ranges.js";
import { compileGpu } from "./compile.js";

/**
 * Registers the GPU-cloud sections with the engine. Importing this module (the public
 * facade does) is what makes `sites:`, `pricing:`, `utilization:`, `contracts:` and
 * `rental:` part of every model.
 */
registerExtension({
  name: "gpu",
  sections: [...GPU_SECTIONS],
  validate: validateGpu,
  compile: compileGpu,
  rangeProblem: gpuRangeProblem,
});
