import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Encryption } from "./encryption.ts";
import { SecretMasker } from "./masker.ts";
import { EnvSecretBackend, FileSecretBackend, SecretStore } from "./secrets.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("secrets", () => {
  it("reads SECRET_* variables as base64, keys case-insensitive", async () => {
    const invalid: string[] = [];
    const store = new SecretStore([new EnvSecretBackend({ SECRET_MY_PASSWORD: b64("s3cr3t"), SECRET_BAD: "%%%", OTHER: "x" }, (n) => invalid.push(n))]);
    expect(await store.get("my_password")).toBe("s3cr3t");
    expect(await store.get("MY_PASSWORD")).toBe("s3cr3t");
    expect(invalid).toEqual(["SECRET_BAD"]);
    await expect(store.get("missing")).rejects.toThrow("Cannot find secret for key 'missing'.");
  });

  it("falls back to a secrets file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "saker-secrets-")), "secrets.yml");
    writeFileSync(file, "DB_PASSWORD: from-file\n");
    const store = new SecretStore([new EnvSecretBackend({}), new FileSecretBackend(file)]);
    expect(await store.get("db_password")).toBe("from-file");
    expect(await store.keys()).toEqual(["DB_PASSWORD"]);
  });
});

describe("SecretMasker", () => {
  it("masks registered values the way Kestra's logger does", () => {
    const masker = new SecretMasker();
    masker.add("correct-horse-battery");
    masker.add("pw");
    expect(masker.mask("password=correct-horse-battery;")).toBe("password=**masked*************;");
    expect(masker.mask("pw stays")).toBe("pw stays");
    expect(masker.maskValue({ url: "x://correct-horse-battery@h", list: ["correct-horse-battery"] })).toEqual({
      url: "x://**masked*************@h",
      list: ["**masked*************"],
    });
  });
});

describe("Encryption", () => {
  it("round-trips and refuses another key", () => {
    const a = new Encryption(Buffer.alloc(32, 1));
    const b = new Encryption(Buffer.alloc(32, 2));
    const encrypted = a.encrypt("top secret");
    expect(encrypted).not.toContain("top secret");
    expect(a.decrypt(encrypted)).toBe("top secret");
    expect(() => b.decrypt(encrypted)).toThrow("could not be decrypted");
    expect(() => new Encryption(Buffer.alloc(8))).toThrow("32 bytes");
  });
});

describe("SecretMasker on storage URIs", () => {
  it("keeps the folders of a kestra:// URI and masks a secret in its file name", () => {
    const masker = new SecretMasker();
    masker.add("postgres");
    expect(masker.maskValue({ uri: "kestra:///company/team/postgres_query/executions/x/tasks/t/y/postgres.ion" })).toEqual({
      uri: "kestra:///company/team/postgres_query/executions/x/tasks/t/y/********.ion",
    });
    expect(masker.maskValue({ text: "password postgres" })).toEqual({ text: "password ********" });
  });
});
