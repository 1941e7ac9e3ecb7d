/**
 * What Decrypt asks of a message's signatures. With `signUsersKey`, the message must carry a good
 * signature by one of those keys, and no bad one by any of them (a signature by some other key is
 * ignored, as gpg only reports it). With `requiredSignerUsers` too, every user listed must have a
 * good signature by one of their keys. Without `signUsersKey`, signatures are not checked.
 */
import type { Logger } from "@saker/sdk";
import type { PublicKey } from "openpgp";
import { describeKey, invalid, keyMatches, keyWithId, usersOf } from "./keys.ts";
import { reasonOf } from "./messages.ts";

export interface SignerPolicy {
  keys: PublicKey[];
  required: Array<{ user: string; keys: PublicKey[] }>;
}

/** Checks the properties against each other before anything is read. */
export function signerPolicy(keys: PublicKey[], requiredSignerUsers: readonly string[] | undefined): SignerPolicy {
  const users = requiredSignerUsers ?? [];
  if (users.length && !keys.length)
    throw invalid(
      "requiredSignerUsers",
      "needs the public keys of these signers in signUsersKey, to check their signatures",
    );
  const required = users.map((user) => {
    const own = keys.filter((key) => keyMatches(key, user));
    if (!own.length)
      throw invalid(
        "requiredSignerUsers",
        `no key in signUsersKey has the user '${user}' (their users: ${usersOf(keys)})`,
      );
    return { user, keys: own };
  });
  return { keys, required };
}

/** A signature of the message, once its data has been read. */
export interface CheckedSignature {
  keyId: string;
  /** Undefined when the signature is good. */
  error?: string;
}

/**
 * Waits for the verdicts of a message's signatures. They settle only once the data has been read,
 * so call this first and await the result afterwards (no verdict is left unhandled meanwhile).
 */
export function settle(
  signatures: ReadonlyArray<{ keyID: { toHex(): string }; verified: Promise<unknown> }>,
): Promise<CheckedSignature[]> {
  return Promise.all(
    signatures.map((s) =>
      s.verified.then(
        (): CheckedSignature => ({ keyId: s.keyID.toHex() }),
        (error: unknown): CheckedSignature => ({ keyId: s.keyID.toHex(), error: reasonOf(error) }),
      ),
    ),
  );
}

const upper = (ids: readonly string[]) => ids.map((id) => id.toUpperCase()).join(", ");

/** Applies the policy to the checked signatures; logs the good ones. */
export function checkSignatures(checked: readonly CheckedSignature[], policy: SignerPolicy, logger: Logger): void {
  if (!policy.keys.length) {
    if (checked.length)
      logger.info(`Signatures not checked (no signUsersKey): key ID ${upper(checked.map((c) => c.keyId))}`);
    return;
  }
  if (!checked.length)
    throw invalid("from", "the file is not signed, and signUsersKey asks for a good signature by one of its keys");
  const good: PublicKey[] = [];
  for (const { keyId, error } of checked) {
    const key = keyWithId(policy.keys, keyId) as PublicKey | undefined;
    if (!key) continue;
    if (error)
      throw invalid("from", `bad signature by ${describeKey(key)}, signing key ${keyId.toUpperCase()}: ${error}`);
    good.push(key);
    logger.info(`Good signature by ${describeKey(key)}`);
  }
  if (!good.length)
    throw invalid(
      "signUsersKey",
      `the file is signed by key ID ${upper(checked.map((c) => c.keyId))} only, none of them in signUsersKey (${usersOf(policy.keys)})`,
    );
  for (const { user, keys } of policy.required) {
    if (!keys.some((key) => good.includes(key)))
      throw invalid(
        "requiredSignerUsers",
        `the file is not signed by '${user}'; its good signatures are by ${usersOf(good)} only`,
      );
  }
}
