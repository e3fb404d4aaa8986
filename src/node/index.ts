/** The Node entry: everything in the core plus reading model files from disk. */
export * from "../index.js";
export { loadModelFile, readModelText, readModel, modelLabel, STDIN_PATH } from "./loadFile.js";
