/**
 * Encrypt and Decrypt in real flows on a real engine, against the real gpg: Saker → gpg,
 * gpg → Saker (signed, armored and binary), Saker → Saker with signatures, and multi-MB files.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "@saker/engine/testing";
import { gpgAvailable } from "../test/gpg.ts";
import {
  errorsOf,
  expectNoSecrets,
  flow,
  openCryptoTest,
  putFile,
  readStored,
  task,
  uriOf,
  type CryptoTest,
} from "../test/support.ts";
import { COMPRESS_MAX_BYTES } from "./encrypt.ts";

const available = gpgAvailable();

describe.skipIf(!available)("OpenPGP with gpg", () => {
  let t: CryptoTest;
  beforeAll(async () => {
    t = await openCryptoTest();
  });
  afterAll(async () => t?.close());

  const text = "id,name\n1,alpha\n2,béta\n".repeat(500);
  const ok = (ex: Execution) => expect(ex.state.current, errorsOf(t.test, ex)).toBe("SUCCESS");

  it("Saker encrypts, gpg decrypts", async () => {
    const { alice } = t.keys;
    const from = await putFile(t.test, "plain.csv", text);
    const ex = await t.test.run(
      flow("to_gpg", task("enc", "Encrypt", { from, key: alice.publicKey, recipients: [alice.mail] })),
    );
    ok(ex);
    expect(uriOf(ex, "enc")).toMatch(/plain\.csv\.asc$/);
    const encrypted = await readStored(t.test, uriOf(ex, "enc"));
    expect(encrypted.toString("latin1")).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const out = await t.gpg.decrypt(encrypted, alice.passphrase);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString("utf8")).toBe(text);
    expect(out.stderr).not.toContain("GOODSIG");
  });

  it("Saker encrypts and signs, gpg decrypts and verifies the signature", async () => {
    const { alice, carol } = t.keys;
    const from = await putFile(t.test, "signed.csv", text);
    const ex = await t.test.run(
      flow(
        "to_gpg_signed",
        task("enc", "Encrypt", {
          from,
          key: alice.publicKey,
          recipients: [alice.uid],
          signPublicKey: carol.publicKey,
          signPrivateKey: carol.privateKey,
          signPassphrase: carol.passphrase,
          signUser: carol.mail,
        }),
      ),
    );
    ok(ex);
    const out = await t.gpg.decrypt(await readStored(t.test, uriOf(ex, "enc")), alice.passphrase);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString("utf8")).toBe(text);
    expect(out.stderr).toMatch(new RegExp(`GOODSIG [0-9A-F]+ ${carol.uid}`));
    expect(out.stderr).toContain(`VALIDSIG ${carol.fingerprint}`);
    expectNoSecrets(t.test, ex, [carol]);
  });

  it.each([
    ["binary", false],
    ["armored", true],
  ])("gpg encrypts and signs (%s), Saker decrypts and verifies", async (kind, armor) => {
    const { alice, carol } = t.keys;
    const from = await putFile(
      t.test,
      `from-gpg-${kind}.gpg`,
      await t.gpg.encrypt(Buffer.from(text), alice, { signer: carol, armor }),
    );
    const ex = await t.test.run(
      flow(
        `from_gpg_${kind}`,
        task("dec", "Decrypt", {
          from,
          privateKey: alice.privateKey,
          privateKeyPassphrase: alice.passphrase,
          signUsersKey: [carol.publicKey],
          requiredSignerUsers: [carol.mail],
        }),
      ),
    );
    ok(ex);
    expect(uriOf(ex, "dec")).toMatch(new RegExp(`from-gpg-${kind}$`));
    expect((await readStored(t.test, uriOf(ex, "dec"))).toString("utf8")).toBe(text);
    expectNoSecrets(t.test, ex, [alice]);
  });

  it("Saker → Saker: two recipients, signed, each decrypts and the signer is required", async () => {
    const { alice, bob, carol } = t.keys;
    const binary = randomBytes(100_000);
    const from = await putFile(t.test, "data.bin", binary);
    const decrypt = (id: string, key: typeof alice) =>
      task(id, "Decrypt", {
        from: "{{ outputs.enc.uri }}",
        privateKey: key.privateKey,
        privateKeyPassphrase: key.passphrase,
        signUsersKey: [alice.publicKey, carol.publicKey],
        requiredSignerUsers: [carol.uid, carol.fingerprint],
      });
    const ex = await t.test.run(
      flow(
        "round_trip",
        task("enc", "Encrypt", {
          from,
          key: alice.publicKey + bob.publicKey,
          recipients: [alice.mail, `0x${bob.fingerprint.slice(-16)}`],
          signPrivateKey: carol.privateKey,
          signPassphrase: carol.passphrase,
        }),
        decrypt("dec_alice", alice),
        decrypt("dec_bob", bob),
      ),
    );
    ok(ex);
    for (const id of ["dec_alice", "dec_bob"])
      expect((await readStored(t.test, uriOf(ex, id))).equals(binary)).toBe(true);
    expect(uriOf(ex, "dec_alice")).toMatch(/data\.bin$/);
    expectNoSecrets(t.test, ex, [alice, bob, carol]);
  });

  it("a key with no passphrase decrypts with none; signatures are not checked without signUsersKey", async () => {
    const { open, carol } = t.keys;
    const from = await putFile(t.test, "open.gpg", await t.gpg.encrypt(Buffer.from("open"), open, { signer: carol }));
    const ex = await t.test.run(flow("open_key", task("dec", "Decrypt", { from, privateKey: open.privateKey })));
    ok(ex);
    expect((await readStored(t.test, uriOf(ex, "dec"))).toString()).toBe("open");
  });

  describe("multi-MB files", () => {
    // Above COMPRESS_MAX_BYTES Encrypt does not compress; below, it does (ZIP).
    const big = randomBytes(COMPRESS_MAX_BYTES + 4 * 1024 * 1024);
    const compressible = Buffer.from("2024-01-01,order,42.00,EUR\n".repeat(200_000));

    it.each([
      ["random", big],
      ["compressible", compressible],
    ])("a %s file: Saker encrypts, gpg decrypts", async (kind, content) => {
      const { alice, carol } = t.keys;
      const from = await putFile(t.test, `big-${kind}.bin`, content);
      const ex = await t.test.run(
        flow(
          `big_${kind}`,
          task("enc", "Encrypt", {
            from,
            key: alice.publicKey,
            recipients: [alice.mail],
            signPrivateKey: carol.privateKey,
            signPassphrase: carol.passphrase,
          }),
        ),
        {},
        60_000,
      );
      ok(ex);
      const encrypted = await readStored(t.test, uriOf(ex, "enc"));
      if (kind === "compressible") expect(encrypted.length).toBeLessThan(content.length / 4);
      else expect(encrypted.length).toBeGreaterThan(content.length);
      const out = await t.gpg.decrypt(encrypted, alice.passphrase);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.equals(content)).toBe(true);
      expect(out.stderr).toContain("GOODSIG");
    });

    it("gpg encrypts a big file, Saker decrypts it", async () => {
      const { alice, carol } = t.keys;
      const from = await putFile(t.test, "big.gpg", await t.gpg.encrypt(big, alice, { signer: carol }));
      const ex = await t.test.run(
        flow(
          "big_from_gpg",
          task("dec", "Decrypt", {
            from,
            privateKey: alice.privateKey,
            privateKeyPassphrase: alice.passphrase,
            signUsersKey: [carol.publicKey],
          }),
        ),
        {},
        60_000,
      );
      ok(ex);
      expect((await readStored(t.test, uriOf(ex, "dec"))).equals(big)).toBe(true);
    });
  });
});
