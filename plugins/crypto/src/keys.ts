/**
 * Reading the ASCII-armored keys a flow gives, finding a key by user, and unlocking private keys.
 *
 * Every error names the property at fault and never repeats its value: a key property may hold a
 * private key and a passphrase property a secret, and the engine only masks values read through
 * `secret()`. The reasons OpenPGP.js gives for a key it cannot parse are replaced by ours for the
 * same reason (one of them quotes an armor header line).
 */
import { NonRetryableError } from "@saker/sdk";
import type { Key, PrivateKey, PublicKey } from "openpgp";
import { openpgp } from "./openpgp.ts";

/** A failure the flow's properties cause: retrying cannot help. */
export function invalid(property: string, message: string): NonRetryableError {
  return new NonRetryableError(message, { path: property });
}

/** The armored blocks of a text: a key property may hold several, one after the other. */
function armoredBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN PGP ([A-Z ]+)-----[\s\S]*?-----END PGP \1-----/g)].map((m) => m[0]);
}

/** The public keys of armored blocks (`gpg --export --armor`). */
export async function readPublicKeys(armored: string, property: string): Promise<PublicKey[]> {
  const how = "export it with `gpg --export --armor`";
  const blocks = armoredBlocks(armored);
  if (!blocks.length)
    throw invalid(
      property,
      `not an ASCII-armored OpenPGP public key: it must start with '-----BEGIN PGP PUBLIC KEY BLOCK-----' (${how})`,
    );
  const keys: Key[] = [];
  for (const block of blocks) {
    try {
      keys.push(...(await (await openpgp()).readKeys({ armoredKeys: block })));
    } catch {
      throw invalid(property, `not a readable OpenPGP public key: the armored block is damaged (${how})`);
    }
  }
  if (keys.some((key) => key.isPrivate()))
    throw invalid(property, `holds a private key: give the public key only (${how})`);
  return keys;
}

/** The private keys of armored blocks (`gpg --export-secret-keys --armor`), still locked. */
export async function readLockedPrivateKeys(armored: string, property: string): Promise<PrivateKey[]> {
  const how = "export it with `gpg --export-secret-keys --armor`";
  const blocks = armoredBlocks(armored);
  if (!blocks.length)
    throw invalid(
      property,
      `not an ASCII-armored OpenPGP private key: it must start with '-----BEGIN PGP PRIVATE KEY BLOCK-----' (${how})`,
    );
  if (blocks.some((block) => block.startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----")))
    throw invalid(property, `holds a public key, not a private key (${how})`);
  const keys: PrivateKey[] = [];
  for (const block of blocks) {
    try {
      keys.push(...(await (await openpgp()).readPrivateKeys({ armoredKeys: block })));
    } catch {
      throw invalid(property, `not a readable OpenPGP private key: the armored block is damaged (${how})`);
    }
  }
  return keys;
}

/**
 * Unlocks private keys with a passphrase. A key that is not protected needs none (a passphrase
 * given anyway is ignored, as gpg does).
 */
export async function unlock(
  keys: PrivateKey[],
  passphrase: string | undefined,
  keyProperty: string,
  passphraseProperty: string,
): Promise<PrivateKey[]> {
  const unlocked: PrivateKey[] = [];
  for (const key of keys) {
    if (key.isDecrypted()) {
      unlocked.push(key);
      continue;
    }
    if (!passphrase)
      throw invalid(passphraseProperty, `required: ${keyProperty} ${describeKey(key)} is protected by a passphrase`);
    try {
      unlocked.push(await (await openpgp()).decryptKey({ privateKey: key, passphrase }));
    } catch (error) {
      const wrong = /passphrase/i.test(error instanceof Error ? error.message : "");
      throw invalid(
        wrong ? passphraseProperty : keyProperty,
        wrong
          ? `wrong passphrase: it does not unlock ${keyProperty} ${describeKey(key)}`
          : `cannot be unlocked: ${describeKey(key)} uses a protection OpenPGP.js does not support`,
      );
    }
  }
  return unlocked;
}

/** Forgets the secret material of unlocked keys once a run is done with them. */
export function forget(keys: readonly PrivateKey[]): void {
  // A method of OpenPGP.js's PrivateKey that its type declarations leave out.
  for (const key of keys) (key as unknown as { clearPrivateParams(): void }).clearPrivateParams();
}

const HEX_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Whether `wanted` names this key, case-insensitively: one of its user IDs (`Name <mail>`), the
 * mail of one (with or without `<>`), or the fingerprint or 16-hex-digit key ID of the key or of
 * one of its subkeys (a `0x` prefix and spaces allowed).
 */
export function keyMatches(key: Key, wanted: string): boolean {
  const w = wanted.trim().toLowerCase();
  const hex = w.replace(/^0x/, "").replace(/\s+/g, "");
  if (HEX_ID.test(hex) && key.getKeys().some((k) => k.getFingerprint() === hex || k.getKeyID().toHex() === hex))
    return true;
  const mail = w.replace(/^<(.*)>$/, "$1");
  return key.users.some((user) => {
    const id = user.userID;
    return !!id && (id.userID.toLowerCase() === w || (!!id.email && id.email.toLowerCase() === mail));
  });
}

/** A key as messages show it: its first user ID and its key ID (both public), `'Name <mail>' (ID 0123…)`. */
export function describeKey(key: Key): string {
  const [user] = key.getUserIDs();
  const id = `ID ${key.getKeyID().toHex().toUpperCase()}`;
  return user ? `'${user}' (${id})` : id;
}

/** Every key ID of these keys and their subkeys, in lower-case hex. */
export function keyIdsOf(keys: readonly Key[]): string[] {
  return keys.flatMap((key) => key.getKeys().map((k) => k.getKeyID().toHex()));
}

/** The key among `keys` whose key or subkey has this key ID. */
export function keyWithId(keys: readonly Key[], keyId: string): Key | undefined {
  return keys.find((key) => key.getKeys().some((k) => k.getKeyID().toHex() === keyId));
}

/** The user IDs of some keys, for a message listing what there is. */
export function usersOf(keys: readonly Key[]): string {
  const users = keys.flatMap((key) => key.getUserIDs());
  return users.length ? users.map((u) => `'${u}'`).join(", ") : "none";
}
