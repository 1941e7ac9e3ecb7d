import { NonRetryableError, TaskError } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { withoutSecrets } from "./taskRun.ts";

describe("withoutSecrets", () => {
  const key =
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlIYEZabcdefSECRETline1\nSECRETline2xyz\n-----END PGP PRIVATE KEY BLOCK-----\n";

  it("masks a secret, or a line of one, that an error quotes, keeping the kind of error", async () => {
    const failing = (error: Error) => withoutSecrets([key, "pass-word-1"], () => Promise.reject(error));
    await expect(failing(new NonRetryableError("bad key SECRETline2xyz, pass pass-word-1"))).rejects.toSatisfy(
      (e: Error) => e instanceof NonRetryableError && e.message === "bad key ***, pass ***",
    );
    await expect(failing(new Error(`parse: ${key}`))).rejects.toSatisfy(
      (e: Error) => e instanceof TaskError && !e.message.includes("SECRET") && e.message.includes("BEGIN PGP"),
    );
  });

  it("lets other errors and results through unchanged", async () => {
    const error = new NonRetryableError("from: not an OpenPGP message");
    await expect(withoutSecrets([key, undefined], () => Promise.reject(error))).rejects.toBe(error);
    await expect(withoutSecrets([key], async () => 42)).resolves.toBe(42);
  });
});
