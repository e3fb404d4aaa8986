/** The Node entry: everything in the core plus reading model files from disk. */
export * from "../index.js";
export { loadModelFile, readModelText } from "./loadFile.js";
export { loadRegisterFor } from "./loadRegister.js";
export { loadActualsFile } from "./loadActuals.js";
