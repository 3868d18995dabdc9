export * from "./types.ts";
export * from "./log.ts";
