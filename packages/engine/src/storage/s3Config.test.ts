import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../runtime/config.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-s3config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fromYaml(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, "saker.yml");
  writeFileSync(file, yaml);
  return loadConfig({ file, env, cwd: dir });
}

describe("the storage block", () => {
  it("is a local folder by default, and may be a shared one", () => {
    expect(loadConfig({ env: {}, cwd: dir }).storage).toEqual({ type: "local" });
    const shared = fromYaml("storage:\n  path: /mnt/shared/saker\n");
    expect(shared.storage.type).toBe("local");
    expect(shared.storagePath).toBe("/mnt/shared/saker");
  });

  it("takes Kestra's S3 names", () => {
    const config = fromYaml(
      [
        "storage:",
        "  type: s3",
        "  bucket: saker-data",
        "  prefix: prod",
        "  region: eu-west-3",
        "  endpoint: http://minio:9000",
        "  accessKey: AKIA",
        "  secretKey: \"{{ secret('S3_SECRET') }}\"",
        "  forcePathStyle: false",
      ].join("\n"),
    );
    expect(config.storage).toEqual({
      type: "s3",
      bucket: "saker-data",
      prefix: "prod",
      region: "eu-west-3",
      endpoint: "http://minio:9000",
      accessKey: "AKIA",
      secretKey: "{{ secret('S3_SECRET') }}",
      forcePathStyle: false,
    });
  });

  it("can be set from SAKER_STORAGE_* variables", () => {
    const config = loadConfig({
      env: {
        SAKER_STORAGE_TYPE: "s3",
        SAKER_STORAGE_BUCKET: "b",
        SAKER_STORAGE_ACCESSKEY: "k",
        SAKER_STORAGE_SECRETKEY: "s",
        SAKER_STORAGE_FORCEPATHSTYLE: "true",
      },
      cwd: dir,
    });
    expect(config.storage).toMatchObject({
      type: "s3",
      bucket: "b",
      accessKey: "k",
      secretKey: "s",
      forcePathStyle: true,
    });
  });

  it.each([
    ["storage:\n  type: s3\n", /storage\.bucket: is required when storage\.type is s3/],
    ["storage:\n  type: gcs\n", /storage\.type: .*local.*s3/],
    ["storage:\n  type: s3\n  bucket: a/b\n", /storage\.bucket: must be a bucket name/],
    ["storage:\n  type: s3\n  bucket: b\n  path: /x\n", /storage\.path: is for storage\.type local/],
    ["storage:\n  type: s3\n  bucket: b\n  accessKey: k\n", /storage\.secretKey: is required with/],
    ["storage:\n  type: s3\n  bucket: b\n  endpoint: minio:9000\n", /storage\.endpoint: must be an http/],
    ["storage:\n  type: s3\n  bucket: b\n  prefix: a/../b\n", /storage\.prefix: may not hold '\.\.'/],
    [
      'storage:\n  type: s3\n  bucket: b\n  accessKey: k\n  secretKey: "{{ env.X }}"\n',
      /storage\.secretKey: must be the key itself or \{\{ secret/,
    ],
    ["storage:\n  bucket: b\n", /storage\.bucket: is for storage\.type s3/],
    ["storage:\n  type: s3\n  bucket: b\n  color: red\n", /storage: .*color/],
  ])("refuses %j, naming the key", (yaml, message) => {
    expect(() => fromYaml(yaml)).toThrow(message);
  });

  it("never shows a secret key in its errors", () => {
    expect(() => fromYaml("storage:\n  type: s3\n  secretKey: super-secret-value\n")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("super-secret-value") }),
    );
  });
});
