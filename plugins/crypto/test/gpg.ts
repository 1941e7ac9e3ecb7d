/**
 * Test support: the real GnuPG (`gpg`) in a throw-away home folder, to make keys and to encrypt,
 * sign, decrypt and verify the other side of what the plugin does. With CI=true a missing gpg
 * fails the tests; locally they are skipped with a message saying so.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GPG = process.env.SAKER_TEST_GPG ?? "gpg";

/** Whether gpg runs here. In CI (`CI=true`) a missing gpg throws, failing the suite. */
export function gpgAvailable(): boolean {
  const probe = spawnSync(GPG, ["--version"], { encoding: "utf8" });
  if (probe.status === 0) return true;
  const message = `gpg (${GPG}) does not run: ${probe.error?.message ?? probe.stderr}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: gpg is required)`);
  console.warn(`${message}: skipping the OpenPGP tests (set CI=true to make this a failure)`);
  return false;
}

export interface GpgResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface TestKey {
  uid: string;
  mail: string;
  passphrase: string;
  fingerprint: string;
  /** The primary key's ID (it signs), upper-case hex as gpg and Saker's messages print it. */
  keyId: string;
  /** The ID of the encryption subkey, which messages for this key name. */
  encryptionKeyId: string;
  publicKey: string;
  privateKey: string;
}

/** One GnuPG home folder with its agent; `close()` stops the agent and removes the folder. */
export class GnuPG {
  readonly home = mkdtempSync(join(tmpdir(), "saker-gpg-"));

  constructor() {
    // The lowest S2K count makes protecting a key instant (the default calibrates to ~100 ms per
    // use, seconds per key made); loopback lets --passphrase reach the agent in batch mode.
    writeFileSync(join(this.home, "gpg-agent.conf"), "s2k-count 65536\nallow-loopback-pinentry\n");
  }

  run(args: string[], input?: Buffer | string): Promise<GpgResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(GPG, ["--homedir", this.home, "--batch", "--no-tty", "--yes", ...args], {
        env: { ...process.env, GNUPGHOME: this.home },
      });
      const out: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
      child.stdin.on("error", () => {}); // gpg may exit before reading all of a bad input
      child.stdin.end(input ?? "");
    });
  }

  async ok(args: string[], input?: Buffer | string): Promise<Buffer> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw new Error(`gpg ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  /** A new ed25519 (sign) + cv25519 (encrypt) key, protected by `passphrase` (none when empty). */
  async generate(name: string, mail: string, passphrase: string): Promise<TestKey> {
    const uid = `${name} <${mail}>`;
    const pass = ["--pinentry-mode", "loopback", "--passphrase", passphrase];
    await this.ok([...pass, "--quick-gen-key", uid, "future-default", "default", "never"]);
    const colons = (await this.ok(["--with-colons", "--list-keys", mail])).toString();
    const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!;
    const encryptionKeyId = /^sub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(colons)![1]!;
    const publicKey = (await this.ok(["--armor", "--export", fingerprint])).toString();
    const privateKey = (await this.ok([...pass, "--armor", "--export-secret-keys", fingerprint])).toString();
    const keyId = fingerprint.slice(-16);
    return { uid, mail, passphrase, fingerprint, keyId, encryptionKeyId, publicKey, privateKey };
  }

  /** `gpg --decrypt` of `data` with the keys of this home; the status lines are in stderr. */
  decrypt(data: Buffer, passphrase: string): Promise<GpgResult> {
    return this.run(["--pinentry-mode", "loopback", "--passphrase", passphrase, "--status-fd", "2", "--decrypt"], data);
  }

  /** `gpg --encrypt` (and `--sign` with `signer`) of `data` for `recipient`. */
  encrypt(data: Buffer, recipient: TestKey, options: { signer?: TestKey; armor?: boolean } = {}): Promise<Buffer> {
    const args = ["--trust-model", "always", "--recipient", recipient.fingerprint];
    if (options.armor) args.push("--armor");
    if (options.signer)
      args.push(
        ...["--pinentry-mode", "loopback", "--passphrase", options.signer.passphrase],
        ...["--local-user", options.signer.fingerprint, "--sign"],
      );
    return this.ok([...args, "--encrypt"], data);
  }

  async close(): Promise<void> {
    spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: this.home } });
    rmSync(this.home, { recursive: true, force: true });
  }
}
