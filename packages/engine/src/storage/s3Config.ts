/**
 * The `storage` block of the instance configuration: a local folder (the default, possibly a
 * shared one) or an S3-compatible bucket, with Kestra's S3 names (`bucket`, `region`, `endpoint`,
 * `accessKey`, `secretKey`, `forcePathStyle`). A key may be written `{{ secret('NAME') }}`: it is
 * then read from the instance's secrets when the storage first needs it.
 */
import { isSakerError, SakerError, z } from "@saker/sdk";
import type { SecretStore } from "../secrets/secrets.ts";
import type { S3Credentials, S3StorageOptions } from "./s3Storage.ts";

const SECRET_REFERENCE = /^\{\{\s*secret\(\s*(['"])([^'"]+)\1\s*\)\s*\}\}$/;
const S3_ONLY = ["bucket", "prefix", "region", "endpoint", "accessKey", "secretKey", "forcePathStyle"] as const;

const booleanLike = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

/** A key given as itself, or as `{{ secret('NAME') }}` (no other expression). */
const keyValue = z
  .string()
  .min(1)
  .refine((v) => !v.includes("{{") || SECRET_REFERENCE.test(v.trim()), {
    message: "must be the key itself or {{ secret('NAME') }} (no other expression)",
  });

export const StorageConfigSchema = z
  .strictObject({
    type: z.enum(["local", "s3"]).default("local"),
    /** The local folder (default `<home>/storage`). */
    path: z.string().optional(),
    bucket: z
      .string()
      .min(1)
      .refine((v) => !v.includes("/"), { message: "must be a bucket name, without '/'" })
      .optional(),
    /** Folder of the bucket Saker's files go under. */
    prefix: z.string().optional(),
    region: z.string().min(1).optional(),
    endpoint: z
      .string()
      .refine((v) => /^https?:\/\/[^/\s]+/.test(v), { message: "must be an http:// or https:// URL" })
      .optional(),
    accessKey: keyValue.optional(),
    secretKey: keyValue.optional(),
    forcePathStyle: booleanLike.optional(),
  })
  .superRefine((storage, ctx) => {
    if (storage.type === "s3") {
      if (!storage.bucket)
        ctx.addIssue({ code: "custom", path: ["bucket"], message: "is required when storage.type is s3" });
      if (storage.path !== undefined)
        ctx.addIssue({ code: "custom", path: ["path"], message: "is for storage.type local, not s3" });
      if ((storage.accessKey === undefined) !== (storage.secretKey === undefined))
        ctx.addIssue({
          code: "custom",
          path: [storage.accessKey === undefined ? "accessKey" : "secretKey"],
          message: "is required with storage.accessKey and storage.secretKey: give both, or neither",
        });
      if (storage.prefix?.split("/").includes(".."))
        ctx.addIssue({ code: "custom", path: ["prefix"], message: "may not hold '..'" });
      return;
    }
    for (const key of S3_ONLY)
      if (storage[key] !== undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "is for storage.type s3 (storage.type is local)" });
  });

export type StorageConfig = z.output<typeof StorageConfigSchema>;

/** The value of `storage.<name>`, reading `{{ secret('NAME') }}` from the secrets. */
async function keyOf(name: string, value: string, secrets: SecretStore | undefined): Promise<string> {
  const reference = SECRET_REFERENCE.exec(value.trim());
  if (!reference) return value;
  const secret = reference[2]!;
  try {
    if (!secrets) throw new SakerError("SECRET_NOT_FOUND", "no secrets here");
    return await secrets.get(secret);
  } catch (error) {
    if (!isSakerError(error) || error.code !== "SECRET_NOT_FOUND") throw error;
    throw new SakerError(
      "CONFIG_INVALID",
      `storage.${name} reads the secret '${secret}', which does not exist: set SECRET_${secret.toUpperCase()} (base64) or add it to the secrets file`,
    );
  }
}

/** The S3 storage options of an `s3` storage block; credentials resolved once, on first use. */
export function s3StorageOptions(storage: StorageConfig, secrets?: SecretStore): S3StorageOptions {
  if (storage.type !== "s3" || !storage.bucket)
    throw new SakerError("CONFIG_INVALID", "storage: type s3 with a bucket is required here");
  const { accessKey, secretKey } = storage;
  let credentials: Promise<S3Credentials> | undefined;
  return {
    bucket: storage.bucket,
    ...(storage.prefix !== undefined ? { prefix: storage.prefix } : {}),
    ...(storage.region !== undefined ? { region: storage.region } : {}),
    ...(storage.endpoint !== undefined ? { endpoint: storage.endpoint } : {}),
    ...(storage.forcePathStyle !== undefined ? { forcePathStyle: storage.forcePathStyle } : {}),
    ...(accessKey !== undefined && secretKey !== undefined
      ? {
          credentials: () => {
            credentials ??= Promise.all([
              keyOf("accessKey", accessKey, secrets),
              keyOf("secretKey", secretKey, secrets),
            ]).then(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }));
            credentials.catch(() => (credentials = undefined));
            return credentials;
          },
        }
      : {}),
  };
}
