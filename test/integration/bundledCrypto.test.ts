/**
 * The bundled crypto plugin through the real CLI (built packages), on a fresh data folder with no
 * install: a file gpg encrypted and signed is decrypted and verified, encrypted and signed again
 * with private keys from secrets, decrypted again, and gpg reads the encrypted text. No passphrase
 * or private key shows in the CLI's output.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GnuPG, gpgAvailable, type TestKey } from "../../plugins/crypto/test/gpg.ts";
import { executionOf, runCli } from "./cli.ts";

const available = gpgAvailable();
let work: string;
let gpg: GnuPG;
let alice: TestKey;
let carol: TestKey;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "saker-crypto-it-"));
  if (!available) return;
  gpg = new GnuPG();
  alice = await gpg.generate("Alice", "alice@example.com", "alice-it-Passphrase-2c9d");
  carol = await gpg.generate("Carol", "carol@example.com", "carol-it-Passphrase-8e1f");
});
afterAll(async () => {
  await gpg?.close();
  rmSync(work, { recursive: true, force: true });
});

const block = (armored: string, indent: string) =>
  `|\n${armored
    .trim()
    .split("\n")
    .map((line) => `${indent}${line}`)
    .join("\n")}`;

function flowSource(): string {
  const decrypt = (id: string, from: string) => `  - id: ${id}
    type: io.kestra.plugin.crypto.openpgp.Decrypt
    from: "${from}"
    privateKey: "{{ secret('ALICE_PRIVATE_KEY') }}"
    privateKeyPassphrase: "{{ secret('ALICE_PASSPHRASE') }}"
    signUsersKey:
      - ${block(carol.publicKey, "        ")}
    requiredSignerUsers:
      - ${carol.mail}
`;
  return `id: bundled_crypto
namespace: company.team
inputs:
  - id: report
    type: FILE
tasks:
${decrypt("decrypt", "{{ inputs.report }}")}  - id: encrypt
    type: io.kestra.plugin.crypto.openpgp.Encrypt
    from: "{{ outputs.decrypt.uri }}"
    key: ${block(alice.publicKey, "      ")}
    recipients:
      - ${alice.mail}
    signPrivateKey: "{{ secret('CAROL_PRIVATE_KEY') }}"
    signPassphrase: "{{ secret('CAROL_PASSPHRASE') }}"
    signUser: ${carol.mail}
${decrypt("again", "{{ outputs.encrypt.uri }}")}  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.again.uri) }}"
  - id: armored
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.encrypt.uri) }}"
`;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

it.skipIf(!available)("a flow using io.kestra.plugin.crypto.openpgp.* runs with no plugins install", async () => {
  const content = "quarterly report: 42\n";
  const report = join(work, "report.gpg");
  writeFileSync(report, await gpg.encrypt(Buffer.from(content), alice, { signer: carol }));
  const file = join(work, "crypto.yaml");
  writeFileSync(file, flowSource());
  const result = await runCli(["flow", "run", file, "--json", "--input", `report=@${report}`], {
    home: join(work, "home"),
    env: {
      SECRET_ALICE_PRIVATE_KEY: base64(alice.privateKey),
      SECRET_ALICE_PASSPHRASE: base64(alice.passphrase),
      SECRET_CAROL_PRIVATE_KEY: base64(carol.privateKey),
      SECRET_CAROL_PASSPHRASE: base64(carol.passphrase),
    },
  });
  const execution = executionOf(result);
  expect(execution.state.current, result.stderr + result.stdout.slice(-2000)).toBe("SUCCESS");
  const outputs = (taskId: string) =>
    execution.taskRunList.find((t: { taskId: string }) => t.taskId === taskId).outputs;
  expect(outputs("read").value).toBe(content);
  const byGpg = await gpg.decrypt(Buffer.from(outputs("armored").value as string), alice.passphrase);
  expect(byGpg.code, byGpg.stderr).toBe(0);
  expect(byGpg.stdout.toString()).toBe(content);
  expect(byGpg.stderr).toContain(`GOODSIG ${carol.keyId} ${carol.uid}`);
  const encrypt = execution.taskRunList.find((t: { taskId: string }) => t.taskId === "encrypt");
  expect(encrypt.pluginVersion).toBe("@saker/plugin-crypto@1.0.0");
  const shown = result.stdout + result.stderr;
  for (const key of [alice, carol]) {
    expect(shown).not.toContain(key.passphrase);
    for (const line of key.privateKey.split("\n").filter((l) => l.length >= 40)) expect(shown).not.toContain(line);
  }
});
