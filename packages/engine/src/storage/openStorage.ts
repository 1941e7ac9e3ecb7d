/** The internal storage an instance's configuration asks for: a local folder or an S3 bucket. */
import type { SecretStore } from "../secrets/secrets.ts";
import { LocalStorage } from "./localStorage.ts";
import { s3StorageOptions, type StorageConfig } from "./s3Config.ts";
import { S3Storage } from "./s3Storage.ts";
import type { Storage } from "./storage.ts";

/** `localPath`: the folder of a local storage (`storage.path`, resolved, or `<home>/storage`). */
export function openStorage(storage: StorageConfig, localPath: string, secrets?: SecretStore): Storage {
  return storage.type === "s3" ? new S3Storage(s3StorageOptions(storage, secrets)) : new LocalStorage(localPath);
}
