/**
 * Kestra's `io.kestra.plugin.crypto.openpgp.Decrypt`: decrypts an OpenPGP message (armored or
 * binary, from Saker, gpg or any OpenPGP tool) with a private key, and checks its signatures.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import type { Message, PrivateKey } from "openpgp";
import { openpgp } from "./openpgp.ts";
import { describeKey, forget, invalid, keyIdsOf, readLockedPrivateKeys, readPublicKeys, unlock } from "./keys.ts";
import { openMessage, reasonOf, writeStream } from "./messages.ts";
import { checkSignatures, settle, signerPolicy } from "./signatures.ts";
import { fileName, withScratch, withoutSecrets } from "./taskRun.ts";

/** The key ID gpg writes for a hidden recipient (`--throw-keyids`): any key may be the one. */
const WILDCARD = "0000000000000000";

/** The keys of `privateKey` the message is encrypted for, still locked. */
function keysFor(message: Message<NodeWebStream<Uint8Array>>, keys: PrivateKey[]): PrivateKey[] {
  const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex());
  if (!recipients.length)
    throw invalid("from", "not encrypted with a public key (a signed-only or password-encrypted message)");
  if (recipients.includes(WILDCARD)) return keys;
  const own = keys.filter((key) => keyIdsOf([key]).some((id) => recipients.includes(id)));
  if (!own.length)
    throw invalid(
      "privateKey",
      `the file is not encrypted for this key: it is for key ID ${recipients.map((r) => r.toUpperCase()).join(", ")}, privateKey holds ${keys.map(describeKey).join("; ")}`,
    );
  return own;
}

/** OpenPGP.js's failures while decrypting: the file is damaged, or was changed after it was encrypted. */
function damaged(error: unknown): NonRetryableError {
  const reason = reasonOf(error);
  const modified = /modification detected|authentication tag|integrity/i.test(reason);
  return invalid(
    "from",
    modified
      ? "failed its integrity check: the file was changed or damaged after it was encrypted"
      : `could not be decrypted: the file is damaged or truncated (${reason})`,
  );
}

/** `from.asc` → `from`: the name of the decrypted file. */
function plainName(uri: string): string {
  const name = fileName(uri);
  const plain = name.replace(/\.(asc|gpg|pgp)$/i, "");
  return plain || name;
}

export const Decrypt = defineTask({
  type: "io.kestra.plugin.crypto.openpgp.Decrypt",
  title: "Decrypt an OpenPGP file",
  description:
    "Decrypts a stored OpenPGP message (ASCII-armored or binary) with `privateKey`. With `signUsersKey`, the message must also carry a good signature by one of those keys; with `requiredSignerUsers`, by each of those users. Nothing is stored unless decryption and every check succeed.",
  examples: [
    {
      title: "Decrypt a file and require its sender's signature",
      code: [
        "id: decrypt",
        "type: io.kestra.plugin.crypto.openpgp.Decrypt",
        'from: "{{ inputs.file }}"',
        "privateKey: \"{{ secret('PGP_PRIVATE_KEY') }}\"",
        "privateKeyPassphrase: \"{{ secret('PGP_PASSPHRASE') }}\"",
        "signUsersKey:",
        "  - |",
        "    -----BEGIN PGP PUBLIC KEY BLOCK-----",
        "    ...",
        "requiredSignerUsers:",
        "  - partner@example.com",
      ].join("\n"),
    },
  ],
  properties: z.object({
    from: z.string().min(1).describe("The file to decrypt: its internal storage URI (`kestra://…`)."),
    privateKey: z
      .string()
      .min(1)
      .describe(
        "The recipient's private key, ASCII-armored (`gpg --export-secret-keys --armor`); several keys may follow each other. A secret: use `{{ secret('…') }}`.",
      ),
    privateKeyPassphrase: z
      .string()
      .optional()
      .describe("The passphrase of `privateKey`, when it is protected. A secret: use `{{ secret('…') }}`."),
    signUsersKey: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Public keys of the accepted signers, ASCII-armored (`gpg --export --armor`). When set, the file must carry a good signature by one of them.",
      ),
    requiredSignerUsers: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Users (user ID, mail or key ID of a key in `signUsersKey`) who must each have signed the file with a good signature.",
      ),
  }),
  outputs: z.object({ uri: z.string().describe("URI of the decrypted file on internal storage.") }),
  async run(props, ctx) {
    const { from, privateKey, privateKeyPassphrase } = props;
    return withoutSecrets([privateKey, privateKeyPassphrase], async () => {
      const locked = await readLockedPrivateKeys(privateKey, "privateKey");
      const signers = (
        await Promise.all((props.signUsersKey ?? []).map((k, i) => readPublicKeys(k, `signUsersKey[${i}]`)))
      ).flat();
      const policy = signerPolicy(signers, props.requiredSignerUsers);
      return withScratch(ctx, async (dir) => {
        // closed here whatever fails (a key, a passphrase): not left to the end-of-task sweep
        const file = await ctx.storage.getFile(from);
        try {
          const message = await openMessage(file);
          const decryptionKeys = await unlock(
            keysFor(message, locked),
            privateKeyPassphrase,
            "privateKey",
            "privateKeyPassphrase",
          );
          const target = join(dir, "decrypted");
          try {
            const result = await (
              await openpgp()
            )
              .decrypt({
                message,
                decryptionKeys,
                verificationKeys: signers,
                format: "binary",
                // Safe here: the data goes to a scratch file, stored only once the integrity check at its end passed.
                config: { allowUnauthenticatedStream: true },
              })
              .catch((error: unknown) => {
                throw /decryption key|session key/i.test(reasonOf(error))
                  ? invalid("privateKey", `cannot decrypt the file: ${reasonOf(error)}`)
                  : damaged(error);
              });
            const verdicts = settle(result.signatures);
            await writeStream(result.data as NodeWebStream<Uint8Array>, target, ctx.signal).catch((error: unknown) => {
              throw ctx.signal.aborted ? error : damaged(error);
            });
            checkSignatures(await verdicts, policy, ctx.logger);
          } finally {
            forget(decryptionKeys);
          }
          return { uri: await ctx.storage.putFile(createReadStream(target), plainName(from)) };
        } finally {
          file.destroy();
        }
      });
    });
  },
});
