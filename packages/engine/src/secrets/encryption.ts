/**
 * AES-256-GCM for SECRET inputs and outputs: a random 12-byte IV, then the ciphertext and the
 * tag, base64 — the layout Kestra's `EncryptionService` uses.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SakerError } from "@saker/sdk";

export class Encryption {
  private readonly key: Buffer;

  /** `key`: 32 bytes, or their base64. */
  constructor(key: Buffer | string) {
    this.key = typeof key === "string" ? Buffer.from(key, "base64") : key;
    if (this.key.length !== 32)
      throw new SakerError("ENCRYPTION_KEY_INVALID", "the encryption key must be 32 bytes (base64 of 32 bytes)");
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
  }

  decrypt(encoded: string): string {
    const data = Buffer.from(encoded, "base64");
    if (data.length < 28) throw new SakerError("DECRYPTION_FAILED", "the value is not an encrypted text");
    const decipher = createDecipheriv("aes-256-gcm", this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    try {
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new SakerError("DECRYPTION_FAILED", "the value could not be decrypted with this instance's key");
    }
  }
}
