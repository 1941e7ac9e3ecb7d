/**
 * Test support: an engine instance with the crypto plugin, its keys made by gpg, flows written
 * from property maps, and the check that no secret reached the logs, errors or outputs.
 */
import { expect } from "vitest";
import {
  coreRegistry,
  openTestInstance,
  streamToBuffer,
  taskRun,
  toStoragePath,
  type Execution,
  type TestInstance,
} from "@saker/engine/testing";
import crypto from "../src/index.ts";
import { GnuPG, type TestKey } from "./gpg.ts";

export const NS = "company.crypto";

export interface Keys {
  /** The recipient, protected by a passphrase. */
  alice: TestKey;
  /** A second recipient. */
  bob: TestKey;
  /** The signer. */
  carol: TestKey;
  /** Nobody the files are for: the wrong key. */
  mallory: TestKey;
  /** A key with no passphrase. */
  open: TestKey;
}

export interface CryptoTest {
  test: TestInstance;
  gpg: GnuPG;
  keys: Keys;
  close(): Promise<void>;
}

export async function openCryptoTest(): Promise<CryptoTest> {
  const gpg = new GnuPG();
  const keys: Keys = {
    alice: await gpg.generate("Alice", "alice@example.com", "alice-Passphrase-7f3a"),
    bob: await gpg.generate("Bob", "bob@example.com", "bob-Passphrase-91c2"),
    carol: await gpg.generate("Carol Signer", "carol@example.com", "carol-Passphrase-5d8e"),
    mallory: await gpg.generate("Mallory", "mallory@example.com", "mallory-Passphrase-0b4c"),
    open: await gpg.generate("Open", "open@example.com", ""),
  };
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-crypto", version: "1.0.0", core: false }, crypto);
  const test = await openTestInstance({ registry });
  return {
    test,
    gpg,
    keys,
    async close() {
      await test.close();
      await gpg.close();
    },
  };
}

/** Stores a namespace file and returns its URI. */
export async function putFile(test: TestInstance, name: string, content: Buffer | string): Promise<string> {
  const uri = `kestra:///company/crypto/_files/${name}`;
  await test.instance.storage.put(toStoragePath(uri), Buffer.from(content));
  return uri;
}

export async function readStored(test: TestInstance, uri: string): Promise<Buffer> {
  return streamToBuffer(await test.instance.storage.get(toStoragePath(uri)));
}

type Value = string | readonly string[] | undefined;

function scalar(value: string, indent: string): string {
  if (!value.includes("\n")) return JSON.stringify(value);
  const body = value.replace(/\n$/, "").split("\n");
  return `|\n${body.map((line) => `${indent}  ${line}`).join("\n")}`;
}

/** A task of the plugin as flow YAML; multi-line values (armored keys) become block scalars. */
export function task(id: string, type: "Encrypt" | "Decrypt", props: Record<string, Value>): string {
  const lines = [`  - id: ${id}`, `    type: io.kestra.plugin.crypto.openpgp.${type}`];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (typeof value === "string") lines.push(`    ${name}: ${scalar(value, "    ")}`);
    else lines.push(`    ${name}:`, ...value.map((v) => `      - ${scalar(v, "        ")}`));
  }
  return `${lines.join("\n")}\n`;
}

export function flow(id: string, ...tasks: string[]): string {
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n${tasks.join("")}`;
}

export function uriOf(ex: Execution, taskId: string): string {
  return (taskRun(ex, taskId).outputs as { uri: string }).uri;
}

/** The ERROR logs of a run, for an assertion's message. */
export function errorsOf(test: TestInstance, ex: Execution): string {
  return test.instance.logs
    .find({ executionId: ex.id, minLevel: "ERROR" })
    .map((l) => `${l.taskId}: ${l.message}`)
    .join("\n");
}

/** Everything a run shows: its logs at every level and the execution (outputs, states). */
function shown(test: TestInstance, ex: Execution): string {
  const logs = test.instance.logs.find({ executionId: ex.id, minLevel: "TRACE" }).map((l) => l.message);
  return `${logs.join("\n")}\n${JSON.stringify(ex)}`;
}

/** The run's logs, errors and outputs hold no passphrase and no line of a private key's armor. */
export function expectNoSecrets(test: TestInstance, ex: Execution, keys: readonly TestKey[]): void {
  const text = shown(test, ex);
  for (const key of keys) {
    if (key.passphrase) expect(text).not.toContain(key.passphrase);
    const body = key.privateKey.split("\n").filter((line) => line.length >= 40);
    expect(body.length).toBeGreaterThan(2);
    for (const line of body) expect(text).not.toContain(line);
  }
  // An armor line that starts a key block (messages may quote the line as an example, not a key).
  expect(text).not.toMatch(/-----BEGIN PGP PRIVATE KEY BLOCK-----\s*\n/);
}
