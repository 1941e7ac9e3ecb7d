/** Property schemas shared by several S3 types, with Kestra's names and defaults. */
import { z } from "@saker/sdk";
import type { S3Flavor } from "./flavor.ts";

export const FILTERS = ["FILES", "DIRECTORY", "BOTH"] as const;
export type ListFilter = (typeof FILTERS)[number];
export const ACTIONS = ["MOVE", "DELETE", "NONE"] as const;
export type Action = (typeof ACTIONS)[number];

export const bucket = z.string().min(1).describe("The bucket.");
export const requestPayer = z.string().optional().describe("`requester` when the requester pays for the request.");
export const expectedBucketOwner = z
  .string()
  .optional()
  .describe("The account id that must own the bucket; the request is refused otherwise.");

/** Where a listed object is moved to by `action: MOVE`. */
export const moveTo = z
  .object({
    bucket: z.string().min(1).optional().describe("The destination bucket (by default the bucket listed)."),
    key: z.string().describe("The destination folder: an object `a/b.csv` moves to `<key>/b.csv`."),
  })
  .describe("The destination of `action: MOVE`.");

/** The listing properties of List, Downloads, DeleteList and Trigger. */
export function listProperties(flavor: S3Flavor) {
  const common = {
    bucket,
    prefix: z.string().optional().describe("Only keys starting with this prefix."),
    delimiter: z.string().optional().describe("Groups keys up to this character: keys past it are not listed."),
    marker: z.string().optional().describe("List keys after this one."),
    encodingType: z.string().optional().describe("The encoding S3 uses for keys in the response (`url`)."),
    maxKeys: z.number().int().positive().default(1000).describe("The most keys read from the listing (all pages)."),
    expectedBucketOwner,
    requestPayer,
    regexp: z
      .string()
      .optional()
      .describe("Only keys the regular expression matches as a whole, e.g. `.*\\.csv` or `data/2020-01-0.\\.csv`."),
    filter: z.enum(FILTERS).default("BOTH").describe("FILES, DIRECTORY (keys ending with `/`) or BOTH."),
  };
  return flavor.kind === "aws"
    ? {
        ...common,
        maxFiles: z
          .number()
          .int()
          .positive()
          .default(25)
          .describe("The most objects kept after filtering (a warning says when more matched)."),
      }
    : {
        ...common,
        startAfter: z.string().optional().describe("List keys after this one (as `marker`)."),
        recursive: z
          .boolean()
          .default(true)
          .describe("`false`: only the keys directly under `prefix` (as delimiter `/`)."),
        includeVersions: z
          .boolean()
          .default(true)
          .describe("Accepted for MinIO compatibility; the current version of each object is listed."),
      };
}

export function actionProperties(required: boolean) {
  const action = z
    .enum(ACTIONS)
    .describe(
      "What to do with the listed objects afterwards: MOVE (to `moveTo`), DELETE, or NONE (the same objects are seen again next time: handle them in the flow).",
    );
  return { action: required ? action : action.default("NONE"), moveTo: moveTo.optional() };
}
