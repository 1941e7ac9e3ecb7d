/** The internal storage an instance's configuration asks for: a local folder or an S3 bucket. */
import { EnvSecretBackend, FileSecretBackend, SecretStore, type SecretBackend } from "../secrets/secrets.ts";
import { LocalStorage } from "./localStorage.ts";
import { s3StorageOptions, type StorageConfig } from "./s3Config.ts";
import { S3Storage } from "./s3Storage.ts";
import type { Storage } from "./storage.ts";

/** `localPath`: the folder of a local storage (`storage.path`, resolved, or `<home>/storage`). */
export function openStorage(storage: StorageConfig, localPath: string, secrets?: SecretStore): Storage {
  return storage.type === "s3" ? new S3Storage(s3StorageOptions(storage, secrets)) : new LocalStorage(localPath);
}

/**
 * The S3 storage of a configuration, outside an instance (`saker migrate`): its keys may read
 * secrets from `SECRET_*` variables and the secrets file, as an instance's do.
 */
export function s3StorageOfConfig(
  storage: StorageConfig,
  env: Readonly<Record<string, string | undefined>>,
  secretsFile?: string,
): S3Storage {
  const backends: SecretBackend[] = [new EnvSecretBackend(env)];
  if (secretsFile) backends.push(new FileSecretBackend(secretsFile));
  return new S3Storage(s3StorageOptions(storage, new SecretStore(backends)));
}
