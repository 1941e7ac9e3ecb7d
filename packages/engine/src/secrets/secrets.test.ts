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
    const store = new SecretStore([
      new EnvSecretBackend({ SECRET_MY_PASSWORD: b64("s3cr3t"), SECRET_BAD: "%%%", OTHER: "x" }, (n) =>
        invalid.push(n),
      ),
    ]);
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
    expect(
      masker.maskValue({ uri: "kestra:///company/team/postgres_query/executions/x/tasks/t/y/postgres.ion" }),
    ).toEqual({
      uri: "kestra:///company/team/postgres_query/executions/x/tasks/t/y/********.ion",
    });
    expect(masker.maskValue({ text: "password postgres" })).toEqual({ text: "password ********" });
  });
});

/** What the masker puts for a value of `length` characters. */
const masked = (length: number) => (length >= 9 ? `**masked*${"*".repeat(length - 9)}` : "*".repeat(length));

describe("SecretMasker derived forms", () => {
  const PEM =
    "-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\n  KUpRKfFLfRYC9AIKjbJTWit  \n}\n-----END TEST KEY-----";

  it("masks each line of a multi-line secret, except the short ones", () => {
    const masker = new SecretMasker();
    masker.add(PEM);
    expect(masker.mask("got MIIBOgIBAAJBAKj34GkxFhD90vcN here")).toBe(`got ${masked(28)} here`);
    expect(masker.mask("[KUpRKfFLfRYC9AIKjbJTWit]")).toBe(`[${masked(23)}]`);
    // a one-character line would hide every closing brace of every log
    expect(masker.mask("{ } done")).toBe("{ } done");
    expect(masker.mask(PEM)).not.toContain("MIIB");
  });

  it("masks the base64, URL-encoded and JSON-escaped forms", () => {
    const value = 'p@ss w/rd&x=1!"q"+é';
    const masker = new SecretMasker();
    masker.add(value);
    const b64 = Buffer.from(value).toString("base64");
    const forms = [
      b64,
      b64.replace(/=+$/, ""),
      b64.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"),
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, "+"),
      "p%40ss+w%2Frd%26x%3D1%21%22q%22%2B%C3%A9",
      JSON.stringify(value).slice(1, -1),
    ];
    for (const form of forms) {
      const masked = masker.mask(`x=${form};`);
      expect(masked, form).toMatch(/^x=\*\*masked\*+;$/);
    }
    expect(masker.mask(JSON.stringify({ v: value }))).not.toContain("p@ss");
  });

  it("an extended masker adds values without changing the one it came from", () => {
    const base = new SecretMasker();
    base.add("instance-secret");
    const job = base.extend();
    job.add("job-only-value");
    expect(job.mask("instance-secret job-only-value")).toBe(`${masked(15)} ${masked(14)}`);
    expect(base.mask("job-only-value")).toBe("job-only-value");
    expect(base.matches("an instance-secret")).toBe(true);
    expect(base.matches("nothing")).toBe(false);
  });

  it("adds a revealed value only when no known secret is in it", () => {
    const masker = new SecretMasker();
    masker.add("instance-secret");
    const size = masker.size;
    masker.addRevealed("a long output holding instance-secret somewhere");
    expect(masker.size).toBe(size);
    masker.addRevealed("decrypted-by-one-task");
    expect(masker.mask("decrypted-by-one-task")).toBe(masked(21));
  });
});
