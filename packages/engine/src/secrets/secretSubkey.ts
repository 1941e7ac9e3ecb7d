/** Kestra's `secret(key, subkey=…)`: one property of a secret that holds a JSON object. */
import { SakerError } from "@saker/sdk";

/** The `subkey` property of the JSON `secret`: text as it is, any other value as JSON. */
export function secretSubkey(secret: string, key: string, subkey: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new SakerError(
      "SECRET_INVALID",
      `Failed to read secret sub-key '${subkey}' from secret '${key}'. Ensure the secret contains valid JSON value.`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Object.hasOwn(parsed, subkey)) {
    throw new SakerError("SECRET_NOT_FOUND", `Cannot find secret sub-key '${subkey}' in secret '${key}'.`);
  }
  const value = (parsed as Record<string, unknown>)[subkey];
  if (value === null) return "null";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
