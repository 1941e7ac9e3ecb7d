/**
 * What both tasks do around the OpenPGP work: a scratch folder the result is written to before it
 * is stored (so a failure, found only at the end of the data, stores nothing), stored file names,
 * and a last guard that keeps the secret properties out of any error message.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, TaskError, type RunContext } from "@saker/sdk";

export async function withScratch<T>(ctx: RunContext, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(await ctx.workingDir(), ".crypto-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The last segment of a `kestra://` URI, decoded. */
export function fileName(uri: string): string {
  const last = uri.split("/").pop() ?? "file";
  try {
    return decodeURIComponent(last) || "file";
  } catch {
    return last || "file";
  }
}

/** Secrets shorter than this are not searched for: they would match ordinary words. */
const MIN_SECRET = 4;

/**
 * Runs `work`; an error whose message contains one of `secrets` (a private key, a passphrase, or
 * one line of a key's armor) is replaced by one where it reads `***`. The messages this plugin
 * writes never quote those properties; this guards against a library or a storage error that would.
 */
export async function withoutSecrets<T>(
  secrets: ReadonlyArray<string | undefined>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const values = secrets
      .flatMap((s) => (s ? [s, ...s.split(/\r?\n/).map((l) => l.trim())] : []))
      // The armor's BEGIN and END lines are no secret, and messages quote them as examples.
      .filter((s) => s.length >= MIN_SECRET && !s.startsWith("-----"))
      .sort((a, b) => b.length - a.length);
    const message = error instanceof Error ? error.message : String(error);
    if (!values.some((v) => message.includes(v))) throw error;
    const clean = values.reduce((text, v) => text.split(v).join("***"), message);
    throw error instanceof NonRetryableError ? new NonRetryableError(clean) : new TaskError(clean);
  }
}
