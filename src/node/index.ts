/** The Node entry: everything in the core plus reading model files from disk. */
export * from "../index.js";
export { loadModelFile, readModelText, readModel, modelLabel, STDIN_PATH } from "./loadFile.js";
export * from "../system/index.js";
export { loadSystemFile, companyReader } from "../system/node.js";
export { simulateSystem } from "../system/simulateSystem.js";
export { sectorOfSystem, type SystemSectorOptions } from "../system/sectorSystem.js";
export { loadRegisterFor } from "./loadRegister.js";
export { loadActualsFile } from "./loadActuals.js";
