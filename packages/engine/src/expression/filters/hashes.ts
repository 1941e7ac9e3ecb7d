/** Hash and encoding filters: md5, sha1, sha256, sha512, base64encode, base64decode. */
import { createHash } from "node:crypto";
import type { FilterDef } from "../registry.ts";
import { filter, requireString } from "./helpers.ts";

function hash(algorithm: string, name: string): FilterDef {
  return filter((input) => (input === null || input === undefined ? null : createHash(algorithm).update(requireString(input, name), "utf8").digest("hex")));
}

export const hashFilters: Record<string, FilterDef> = {
  md5: hash("md5", "md5"),
  sha1: hash("sha1", "sha1"),
  sha256: hash("sha256", "sha256"),
  sha512: hash("sha512", "sha512"),
  base64encode: filter((input) => (input === null || input === undefined ? null : Buffer.from(requireString(input, "base64encode"), "utf8").toString("base64"))),
  base64decode: filter((input) => (input === null || input === undefined ? null : Buffer.from(requireString(input, "base64decode"), "base64").toString("utf8"))),
};
