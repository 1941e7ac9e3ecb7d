export * from "./expression/index.ts";
