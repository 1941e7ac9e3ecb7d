/** Hash and encoding filters: md5, sha1, sha256, sha512, base64encode, base64decode. */
import { createHash } from "node:crypto";
import type { FilterDef } from "../registry.ts";
import { EvalError } from "../errors.ts";
import { javaToString } from "../values.ts";
import { filter, stringInput } from "./helpers.ts";

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;

/**
 * java.util.Base64's basic decoder: only the standard alphabet, padding optional but complete when
 * present, nothing after it; the bytes are read as UTF-8.
 */
function base64Decode(text: string): string {
  const pad = text.indexOf("=");
  const body = pad < 0 ? text : text.slice(0, pad);
  const padding = pad < 0 ? "" : text.slice(pad);
  const fail = (why: string) => new EvalError(`'${text}' is not Base64: ${why}`);
  if (!BASE64_ALPHABET.test(body)) throw fail("it has a character outside the Base64 alphabet");
  const rest = body.length % 4;
  if (rest === 1) throw fail("the last unit does not have enough bits");
  if (padding !== "" && (rest === 0 || padding !== "=".repeat(4 - rest))) throw fail("its padding is wrong");
  return Buffer.from(body, "base64").toString("utf8");
}

function hash(algorithm: string, name: string): FilterDef {
  return filter((input) =>
    input === null || input === undefined
      ? null
      : createHash(algorithm).update(stringInput(input, name), "utf8").digest("hex"),
  );
}

export const hashFilters: Record<string, FilterDef> = {
  md5: hash("md5", "md5"),
  sha1: hash("sha1", "sha1"),
  sha256: hash("sha256", "sha256"),
  sha512: hash("sha512", "sha512"),
  // Pebble encodes the input's toString(), whatever its type
  base64encode: filter((input) =>
    input === null || input === undefined ? null : Buffer.from(javaToString(input), "utf8").toString("base64"),
  ),
  base64decode: filter((input) =>
    input === null || input === undefined ? null : base64Decode(stringInput(input, "base64decode")),
  ),
};
