/**
 * What a user can get wrong, each failing with a message that names the property, storing no
 * file, and showing no passphrase or private key in logs, errors or outputs.
 */
import { createMessage, decryptKey, encrypt, enums, readKey, readPrivateKey, sign } from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, executionPrefix, type Execution } from "@saker/engine/testing";
import { gpgAvailable, type TestKey } from "../test/gpg.ts";
import { NS, expectNoSecrets, flow, openCryptoTest, putFile, task, type CryptoTest } from "../test/support.ts";

const available = gpgAvailable();

describe.skipIf(!available)("bad inputs", () => {
  let t: CryptoTest;
  let forAlice: string;
  let signedByCarol: string;
  let signedByMallory: string;
  let unsigned: string;
  beforeAll(async () => {
    t = await openCryptoTest();
    const { alice, carol, mallory } = t.keys;
    const data = Buffer.from("payroll 2024\n");
    forAlice = await putFile(t.test, "for-alice.gpg", await t.gpg.encrypt(data, alice, { signer: carol }));
    signedByCarol = forAlice;
    signedByMallory = await putFile(t.test, "by-mallory.gpg", await t.gpg.encrypt(data, alice, { signer: mallory }));
    unsigned = await putFile(t.test, "unsigned.gpg", await t.gpg.encrypt(data, alice, { armor: true }));
  });
  afterAll(async () => t?.close());

  const id = (key: TestKey) => `'${key.uid}' (ID ${key.keyId})`;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  /** The run failed on `taskId` with exactly `message`, stored nothing and showed no secret. */
  async function expectFailure(ex: Execution, message: string | RegExp): Promise<void> {
    expect(ex.state.current).toBe("FAILED");
    const errors = errorMessages(t.test, ex, "t");
    expect(errors).toHaveLength(1);
    if (typeof message === "string") expect(errors[0]).toBe(message);
    else expect(errors[0]).toMatch(message);
    expect(await t.test.instance.storage.list(executionPrefix(NS, ex.flowId, ex.id))).toEqual([]);
    expectNoSecrets(t.test, ex, Object.values(t.keys));
  }

  const decrypt = (flowId: string, props: Parameters<typeof task>[2]) =>
    t.test.run(flow(flowId, task("t", "Decrypt", props)));
  const encryptFlow = (flowId: string, props: Parameters<typeof task>[2]) =>
    t.test.run(flow(flowId, task("t", "Encrypt", props)));
  const asAlice = () => ({ privateKey: t.keys.alice.privateKey, privateKeyPassphrase: t.keys.alice.passphrase });

  describe("Decrypt", () => {
    it("with the wrong private key", async () => {
      const { alice, mallory } = t.keys;
      const ex = await decrypt("wrong_key", {
        from: forAlice,
        privateKey: mallory.privateKey,
        privateKeyPassphrase: mallory.passphrase,
      });
      await expectFailure(
        ex,
        `privateKey: the file is not encrypted for this key: it is for key ID ${alice.encryptionKeyId}, privateKey holds ${id(mallory)}`,
      );
    });

    it("with the wrong passphrase, or none", async () => {
      const { alice } = t.keys;
      const wrong = await decrypt("wrong_pass", {
        from: forAlice,
        privateKey: alice.privateKey,
        privateKeyPassphrase: "not-it",
      });
      await expectFailure(wrong, `privateKeyPassphrase: wrong passphrase: it does not unlock privateKey ${id(alice)}`);
      const none = await decrypt("no_pass", { from: forAlice, privateKey: alice.privateKey });
      await expectFailure(none, `privateKeyPassphrase: required: privateKey ${id(alice)} is protected by a passphrase`);
    });

    it("when a required signer did not sign", async () => {
      const { bob, carol } = t.keys;
      const ex = await decrypt("missing_signer", {
        from: signedByCarol,
        ...asAlice(),
        signUsersKey: [carol.publicKey, bob.publicKey],
        requiredSignerUsers: [carol.mail, bob.mail],
      });
      await expectFailure(
        ex,
        `requiredSignerUsers: the file is not signed by '${bob.mail}'; its good signatures are by '${carol.uid}' only`,
      );
    });

    it("when the file is not signed, or signed by a key not in signUsersKey", async () => {
      const { carol, mallory } = t.keys;
      const notSigned = await decrypt("not_signed", { from: unsigned, ...asAlice(), signUsersKey: [carol.publicKey] });
      await expectFailure(
        notSigned,
        "from: the file is not signed, and signUsersKey asks for a good signature by one of its keys",
      );
      const other = await decrypt("other_signer", {
        from: signedByMallory,
        ...asAlice(),
        signUsersKey: [carol.publicKey],
      });
      await expectFailure(
        other,
        `signUsersKey: the file is signed by key ID ${mallory.keyId} only, none of them in signUsersKey ('${carol.uid}')`,
      );
    });

    it("when a signature by a key of signUsersKey does not verify", async () => {
      const { alice, carol } = t.keys;
      const signer = await decryptKey({
        privateKey: await readPrivateKey({ armoredKey: carol.privateKey }),
        passphrase: carol.passphrase,
      });
      const message = await createMessage({ binary: Buffer.from("pay 100 EUR") });
      const signed = await sign({ message, signingKeys: signer, format: "object" });
      // The signed text changes after signing, then is encrypted: the integrity check passes, the signature does not.
      const literal = signed.packets.findPacket(enums.packet.literalData) as unknown as {
        setBytes(bytes: Uint8Array, format: enums.literal): void; // private in OpenPGP.js's types
      };
      literal.setBytes(Buffer.from("pay 900 EUR"), enums.literal.binary);
      const encrypted = await encrypt({
        message: signed,
        encryptionKeys: await readKey({ armoredKey: alice.publicKey }),
        format: "binary",
      });
      const from = await putFile(t.test, "bad-signature.gpg", Buffer.from(encrypted));
      await expectFailure(
        await decrypt("bad_signature", { from, ...asAlice(), signUsersKey: [carol.publicKey] }),
        new RegExp(`^from: bad signature by ${escape(id(carol))}, signing key ${carol.keyId}: .+$`),
      );
    });

    it("when requiredSignerUsers names nobody of signUsersKey, or signUsersKey is missing", async () => {
      const { carol } = t.keys;
      const nobody = await decrypt("unknown_required", {
        from: signedByCarol,
        ...asAlice(),
        signUsersKey: [carol.publicKey],
        requiredSignerUsers: ["dave@example.com"],
      });
      await expectFailure(
        nobody,
        `requiredSignerUsers: no key in signUsersKey has the user 'dave@example.com' (their users: '${carol.uid}')`,
      );
      const noKeys = await decrypt("required_no_keys", {
        from: signedByCarol,
        ...asAlice(),
        requiredSignerUsers: [carol.mail],
      });
      await expectFailure(
        noKeys,
        "requiredSignerUsers: needs the public keys of these signers in signUsersKey, to check their signatures",
      );
    });

    it("a corrupted, a truncated, a non-OpenPGP and a password-encrypted file", async () => {
      const { alice } = t.keys;
      const encrypted = await t.gpg.encrypt(Buffer.from("x".repeat(50_000)), alice, { signer: t.keys.carol });
      const flipped = Buffer.from(encrypted);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x55;
      const corrupt = await decrypt("corrupt", { from: await putFile(t.test, "flipped.gpg", flipped), ...asAlice() });
      await expectFailure(corrupt, /^from: (failed its integrity check|could not be decrypted): .*damaged/);
      const cut = await putFile(t.test, "cut.gpg", encrypted.subarray(0, Math.floor(encrypted.length * 0.6)));
      await expectFailure(
        await decrypt("truncated", { from: cut, ...asAlice() }),
        /^from: could not be decrypted: the file is damaged or truncated \(.+\)$/,
      );
      const text = await putFile(t.test, "plain.txt", "just some text\n");
      await expectFailure(
        await decrypt("not_pgp", { from: text, ...asAlice() }),
        "from: not an OpenPGP message: neither ASCII-armored ('-----BEGIN PGP MESSAGE-----') nor binary OpenPGP",
      );
      const symmetric = await t.gpg.ok(
        ["--pinentry-mode", "loopback", "--passphrase", "sym-pass", "--symmetric"],
        Buffer.from("x"),
      );
      await expectFailure(
        await decrypt("symmetric", { from: await putFile(t.test, "sym.gpg", symmetric), ...asAlice() }),
        "from: not encrypted with a public key (a signed-only or password-encrypted message)",
      );
    });

    it("keys that are not armored keys, or the wrong kind", async () => {
      const { alice } = t.keys;
      await expectFailure(
        await decrypt("garbage_private", { from: forAlice, privateKey: "my secret key" }),
        "privateKey: not an ASCII-armored OpenPGP private key: it must start with '-----BEGIN PGP PRIVATE KEY BLOCK-----' (export it with `gpg --export-secret-keys --armor`)",
      );
      await expectFailure(
        await decrypt("public_as_private", { from: forAlice, privateKey: alice.publicKey }),
        "privateKey: holds a public key, not a private key (export it with `gpg --export-secret-keys --armor`)",
      );
      const damaged = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PRIVATE KEY BLOCK-----\n";
      await expectFailure(
        await decrypt("damaged_private", { from: forAlice, privateKey: damaged }),
        "privateKey: not a readable OpenPGP private key: the armored block is damaged (export it with `gpg --export-secret-keys --armor`)",
      );
      await expectFailure(
        await decrypt("garbage_signer", { from: forAlice, ...asAlice(), signUsersKey: ["carol"] }),
        /^signUsersKey\[0\]: not an ASCII-armored OpenPGP public key/,
      );
    });
  });

  describe("Encrypt", () => {
    it("for a recipient whose key is not in key", async () => {
      const { alice } = t.keys;
      const ex = await encryptFlow("unknown_recipient", {
        from: forAlice,
        key: alice.publicKey,
        recipients: [alice.mail, "nobody@example.com"],
      });
      await expectFailure(
        ex,
        `recipients: no key in key has the user or key ID 'nobody@example.com' (its users: '${alice.uid}')`,
      );
    });

    it("with a garbage key, or a private key as key", async () => {
      const { alice } = t.keys;
      await expectFailure(
        await encryptFlow("garbage_key", {
          from: forAlice,
          key: "AAAAB3NzaC1yc2E alice@laptop",
          recipients: [alice.mail],
        }),
        "key: not an ASCII-armored OpenPGP public key: it must start with '-----BEGIN PGP PUBLIC KEY BLOCK-----' (export it with `gpg --export --armor`)",
      );
      await expectFailure(
        await encryptFlow("private_as_key", { from: forAlice, key: alice.privateKey, recipients: [alice.mail] }),
        "key: holds a private key: give the public key only (export it with `gpg --export --armor`)",
      );
    });

    it("signing with a wrong passphrase, an unknown signUser, or no signPrivateKey", async () => {
      const { alice, carol } = t.keys;
      const base = { from: forAlice, key: alice.publicKey, recipients: [alice.mail] };
      await expectFailure(
        await encryptFlow("sign_wrong_pass", {
          ...base,
          signPrivateKey: carol.privateKey,
          signPassphrase: alice.passphrase,
        }),
        `signPassphrase: wrong passphrase: it does not unlock signPrivateKey ${id(carol)}`,
      );
      await expectFailure(
        await encryptFlow("sign_unknown_user", {
          ...base,
          signPrivateKey: carol.privateKey,
          signPassphrase: carol.passphrase,
          signUser: "dave@example.com",
        }),
        `signUser: 'dave@example.com' is not a user of signPrivateKey (its users: '${carol.uid}')`,
      );
      await expectFailure(
        await encryptFlow("sign_no_key", { ...base, signUser: carol.mail }),
        "signPrivateKey: required when signUser is set: signing needs the signer's private key",
      );
    });

    it("without key: the flow does not deploy", async () => {
      await expect(encryptFlow("no_key", { from: forAlice, recipients: ["alice@example.com"] })).rejects.toThrow(
        "Flow 'company.crypto/no_key' is invalid: tasks[0].key: is required (line 4)",
      );
    });
  });
});
