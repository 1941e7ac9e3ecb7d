/**
 * Kestra's `io.kestra.plugin.crypto.openpgp.Encrypt`: encrypts a stored file for the recipients'
 * public keys, optionally signed, as an ASCII-armored OpenPGP message.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { defineTask, z, type Logger } from "@saker/sdk";
import type { PrivateKey, PublicKey } from "openpgp";
import { openpgp } from "./openpgp.ts";
import {
  describeKey,
  forget,
  invalid,
  keyMatches,
  readLockedPrivateKeys,
  readPublicKeys,
  unlock,
  usersOf,
} from "./keys.ts";
import { writeStream } from "./messages.ts";
import { fileName, withScratch, withoutSecrets } from "./taskRun.ts";

/**
 * Files up to this size are compressed (ZIP, as Kestra does). A bigger one is not: Node's
 * CompressionStream, which OpenPGP.js compresses through, does not hold back its input, and
 * compressing 400 MB of random data measured 627 MB of memory against 124 MB uncompressed.
 */
export const COMPRESS_MAX_BYTES = 8 * 1024 * 1024;

/** The recipients' keys, in the order of `recipients`; each must be able to encrypt. */
async function recipientKeys(keys: PublicKey[], recipients: readonly string[]): Promise<PublicKey[]> {
  const chosen: PublicKey[] = [];
  for (const recipient of recipients) {
    const matching = keys.filter((key) => keyMatches(key, recipient));
    if (!matching.length)
      throw invalid("recipients", `no key in key has the user or key ID '${recipient}' (its users: ${usersOf(keys)})`);
    for (const key of matching) {
      try {
        await key.getEncryptionKey();
      } catch {
        throw invalid(
          "recipients",
          `the key ${describeKey(key)} of '${recipient}' cannot encrypt: it is expired, revoked or has no encryption key`,
        );
      }
      if (!chosen.includes(key)) chosen.push(key);
    }
  }
  return chosen;
}

interface SigningProps {
  signPublicKey?: string | undefined;
  signPrivateKey?: string | undefined;
  signPassphrase?: string | undefined;
  signUser?: string | undefined;
}

/** The unlocked signing key, or none when the file is not to be signed. */
async function signingKey(props: SigningProps, logger: Logger): Promise<PrivateKey | undefined> {
  const { signPrivateKey, signPassphrase, signUser } = props;
  if (!signPrivateKey) {
    if (signUser)
      throw invalid("signPrivateKey", "required when signUser is set: signing needs the signer's private key");
    return undefined;
  }
  const keys = await readLockedPrivateKeys(signPrivateKey, "signPrivateKey");
  const candidates = signUser ? keys.filter((key) => keyMatches(key, signUser)) : keys;
  const [candidate] = candidates;
  if (!candidate)
    throw invalid("signUser", `'${signUser}' is not a user of signPrivateKey (its users: ${usersOf(keys)})`);
  const [key] = await unlock([candidate], signPassphrase, "signPrivateKey", "signPassphrase");
  try {
    await key!.getSigningKey();
  } catch {
    forget([key!]);
    throw invalid("signPrivateKey", `${describeKey(key!)} cannot sign: it is expired, revoked or has no signing key`);
  }
  await checkSignPublicKey(props.signPublicKey, key!, logger);
  return key;
}

/** `signPublicKey` is not needed (the private key holds its public half); a mismatch is only reported. */
async function checkSignPublicKey(armored: string | undefined, key: PrivateKey, logger: Logger): Promise<void> {
  if (!armored) return;
  const keys = await readPublicKeys(armored, "signPublicKey").catch(() => []);
  if (!keys.some((k) => k.getFingerprint() === key.getFingerprint()))
    logger.warn(
      `signPublicKey is not the public key of signPrivateKey ${describeKey(key)}; it is ignored, the signature is made with signPrivateKey`,
    );
}

export const Encrypt = defineTask({
  type: "io.kestra.plugin.crypto.openpgp.Encrypt",
  title: "Encrypt a file with OpenPGP",
  description:
    "Encrypts a stored file for the public keys of `recipients`, found in `key`, and optionally signs it with `signPrivateKey`. The result is an ASCII-armored OpenPGP message (`gpg --decrypt` reads it). Streamed: the file is never held in memory.",
  examples: [
    {
      title: "Encrypt a file, signed",
      code: [
        "id: encrypt",
        "type: io.kestra.plugin.crypto.openpgp.Encrypt",
        'from: "{{ inputs.file }}"',
        "key: |",
        "  -----BEGIN PGP PUBLIC KEY BLOCK-----",
        "  ...",
        "recipients:",
        "  - partner@example.com",
        "signPrivateKey: \"{{ secret('PGP_SIGN_PRIVATE_KEY') }}\"",
        "signPassphrase: \"{{ secret('PGP_SIGN_PASSPHRASE') }}\"",
        "signUser: ops@example.com",
      ].join("\n"),
    },
  ],
  properties: z.object({
    from: z.string().min(1).describe("The file to encrypt: its internal storage URI (`kestra://…`)."),
    key: z
      .string()
      .min(1)
      .describe(
        "The recipients' public keys, ASCII-armored (`gpg --export --armor`); several keys may follow each other.",
      ),
    recipients: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        "Who the file is encrypted for: each a user ID of a key in `key` (`Name <mail>`), its mail, or a key ID or fingerprint.",
      ),
    signPublicKey: z
      .string()
      .optional()
      .describe(
        "The signer's public key. Not needed: the signature is made with `signPrivateKey`; accepted for Kestra flows.",
      ),
    signPrivateKey: z
      .string()
      .optional()
      .describe(
        "The signer's private key, ASCII-armored (`gpg --export-secret-keys --armor`): the file is signed when set. A secret: use `{{ secret('…') }}`.",
      ),
    signPassphrase: z
      .string()
      .optional()
      .describe("The passphrase of `signPrivateKey`, when it is protected. A secret: use `{{ secret('…') }}`."),
    signUser: z
      .string()
      .optional()
      .describe(
        "Which key of `signPrivateKey` signs: a user ID, mail or key ID (default: the first key). Needs `signPrivateKey`.",
      ),
  }),
  outputs: z.object({ uri: z.string().describe("URI of the encrypted file (ASCII-armored) on internal storage.") }),
  async run(props, ctx) {
    const { from, signPrivateKey, signPassphrase } = props;
    return withoutSecrets([signPrivateKey, signPassphrase], async () => {
      const encryptionKeys = await recipientKeys(await readPublicKeys(props.key, "key"), props.recipients);
      const signer = await signingKey(props, ctx.logger);
      try {
        const compress = (await ctx.storage.size(from)) <= COMPRESS_MAX_BYTES;
        return await withScratch(ctx, async (dir) => {
          const target = join(dir, "encrypted");
          const file = await ctx.storage.getFile(from);
          try {
            const source = Readable.toWeb(file) as NodeWebStream<Uint8Array>;
            const { createMessage, encrypt, enums } = await openpgp();
            const message = await createMessage({ binary: source, filename: fileName(from), format: "binary" });
            const armored = await encrypt({
              message,
              encryptionKeys,
              ...(signer ? { signingKeys: signer } : {}),
              format: "armored",
              config: {
                preferredCompressionAlgorithm: compress ? enums.compression.zip : enums.compression.uncompressed,
              },
            });
            await writeStream(armored as NodeWebStream<string>, target, ctx.signal);
            ctx.logger.info(
              `Encrypted for ${encryptionKeys.map(describeKey).join("; ")}${signer ? `, signed by ${describeKey(signer)}` : ""}`,
            );
            return { uri: await ctx.storage.putFile(createReadStream(target), `${fileName(from)}.asc`) };
          } finally {
            file.destroy();
          }
        });
      } finally {
        if (signer) forget([signer]);
      }
    });
  },
});
