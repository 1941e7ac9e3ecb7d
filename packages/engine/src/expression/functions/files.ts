/** fileURI, encrypt and decrypt: functions that need no runtime service. */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { EvalError } from "../errors.ts";
import type { FunctionDef } from "../registry.ts";
import { isMap } from "../values.ts";
import { fn } from "./core.ts";

function aesKey(key: unknown): Buffer {
  const bytes = Buffer.from(String(key ?? ""), "base64");
  if (![16, 24, 32].includes(bytes.length)) throw new EvalError("the key must be the base64 of 16, 24 or 32 bytes");
  return bytes;
}

const algorithm = (key: Buffer) => `aes-${key.length * 8}-gcm` as "aes-256-gcm";

export const fileFunctions: Record<string, FunctionDef> = {
  fileURI: fn((args, ctx) => {
    const given = args.get("path", 0);
    if (typeof given !== "string")
      throw new EvalError(
        `The 'fileURI' function expects an argument 'path' (a namespace file path), got ${given === undefined || given === null ? "none" : typeof given}`,
      );
    const path = given;
    if (path.includes("../") || path.includes("..\\")) throw new EvalError("Path must not contain '../'");
    const flow = isMap(ctx.vars.flow) ? ctx.vars.flow : {};
    const namespace = String(args.get("namespace", 1) ?? flow.namespace ?? "");
    if (!namespace) throw new EvalError("fileURI() needs the flow's namespace");
    return `kestra:///${namespace.split(".").join("/")}/_files/${path.replace(/^\/+/, "")}`;
  }),
  encrypt: fn((args) => {
    if (args.positional.length + Object.keys(args.named).length < 2)
      throw new EvalError("encrypt() needs a key and a plaintext");
    const key = aesKey(args.get("key", 0));
    const iv = randomBytes(12);
    const cipher = createCipheriv(algorithm(key), key, iv);
    const body = Buffer.concat([cipher.update(String(args.get("plaintext", 1)), "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
  }),
  decrypt: fn((args) => {
    if (args.positional.length + Object.keys(args.named).length < 2)
      throw new EvalError("decrypt() needs a key and an encrypted text");
    const key = aesKey(args.get("key", 0));
    const data = Buffer.from(String(args.get("encrypted", 1)), "base64");
    if (data.length < 28) throw new EvalError("the value is not an encrypted text");
    const decipher = createDecipheriv(algorithm(key), key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    try {
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new EvalError("the value could not be decrypted with this key");
    }
  }),
};
