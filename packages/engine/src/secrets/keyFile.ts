/**
 * The home's encryption key file (`encryption.key`): read, or made once. Processes sharing a home
 * (a cluster on PostgreSQL with one storage folder) may start at the same moment. A key is
 * written to a file of its own and published with a hard link, which fails when another process
 * published first: every process then reads the one complete key, never a half-written file, and
 * none keeps a key of its own that lost the race (what it encrypted no other could read).
 */
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SakerError } from "@saker/sdk";

const KEY_BYTES = 32;

/** What `link` fails with on a file system that has no hard links. */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** The key in `file`, undefined when there is no such file. */
function readKey(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES)
    throw new SakerError(
      "ENCRYPTION_KEY_INVALID",
      `the encryption key file '${file}' must hold ${KEY_BYTES} bytes in base64 (it holds ${key.length}); ` +
        "restore it from a backup (what was encrypted with it cannot be read without it), or set encryption.secretKey",
    );
  return key;
}

/**
 * The key in `file`, made and saved (readable by its owner only) when there is none. `link`
 * publishes the draft (fs.linkSync; a test gives one that fails as on a file system without hard links).
 */
export function loadOrCreateKey(file: string, link: (draft: string, file: string) => void = linkSync): Buffer {
  const existing = readKey(file);
  if (existing) return existing;
  mkdirSync(dirname(file), { recursive: true });
  const text = randomBytes(KEY_BYTES).toString("base64");
  const draft = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(draft, text, { mode: 0o600 });
    link(draft, file);
  } catch (error) {
    // EEXIST: another process published its key first, read below; a file system without hard
    // links: an exclusive create (a reader may then catch it half-written, as before); anything
    // else (a full disk, no permission) is the caller's
    const code = codeOf(error);
    if (code === "EEXIST") return readKey(file)!;
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
    publishWithoutLink(file, text);
  } finally {
    rmSync(draft, { force: true });
  }
  return readKey(file)!;
}

function publishWithoutLink(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if (codeOf(error) !== "EEXIST") throw error;
  }
}
