/**
 * The remote a task talks to: its URL without credentials, the Basic authorization built from
 * `username`/`password` or from credentials written in the URL (HTTP), or the SSH target of an
 * SSH URL, and the redaction that keeps every credential (token, password, private key and its
 * passphrase) out of every log line, output and error.
 */
import { NonRetryableError, checkHttpUrl, type RunContext } from "@saker/sdk";
import { SSH_STAND_IN_URL, isSshUrl, parseSshUrl, webUrlOf, type SshTarget } from "./sshUrl.ts";

export interface Remote {
  /** The URL without credentials: what is logged, stored in `.git/config` and shown in outputs. */
  readonly url: string;
  /** HTTP headers for every request (the Authorization header when there are credentials). */
  readonly headers: Readonly<Record<string, string>>;
  /** For an SSH URL: where to log in, and a password written in the URL. */
  readonly ssh?: SshTarget & { password?: string };
  /** Replaces every credential (and its URL-encoded form) in `text`. */
  redact(text: string): string;
}

export interface RemoteOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Only redacted here: the SSH transport reads them. */
  privateKey?: string | undefined;
  passphrase?: string | undefined;
}

/** Validates an http(s) or SSH URL and separates the credentials from it. */
export function remoteOf(ctx: Pick<RunContext, "flow" | "task" | "refusedAddresses">, options: RemoteOptions): Remote {
  const keys = [options.passphrase, ...keySecrets(options.privateKey)];
  // over SSH, `username` is not used (the login is the URL's user): not a secret there
  if (isSshUrl(options.url))
    return sshRemote(
      options.url,
      [options.password, ...keys].filter((s): s is string => !!s),
    );
  const secrets = [options.password, options.username, ...keys].filter((s): s is string => !!s);
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new NonRetryableError(`'${redactAll(options.url, secrets)}' is not a URL`, { path: "url" });
  }
  const inUrl = { username: decode(parsed.username), password: decode(parsed.password) };
  secrets.push(...[inUrl.password, inUrl.username, parsed.password, parsed.username].filter((s) => !!s));
  parsed.username = "";
  parsed.password = "";
  const url = parsed.toString();
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new NonRetryableError(
      `only http(s) remotes are supported, not '${parsed.protocol.replace(/:$/, "")}' (${redactAll(url, secrets)})`,
      { taskId: ctx.task.id, path: "url" },
    );
  checkHttpUrl(ctx, url, "url");
  const username = options.username ?? (inUrl.username || undefined);
  const password = options.password ?? (inUrl.password || undefined);
  const headers: Record<string, string> = {};
  if (username !== undefined || password !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64")}`;
  return { url, headers, redact: (text) => redactAll(text, secrets) };
}

function sshRemote(url: string, secrets: string[]): Remote {
  let parsed: ReturnType<typeof parseSshUrl>;
  try {
    parsed = parseSshUrl(url);
  } catch (error) {
    throw new NonRetryableError(redactAll((error as Error).message, secrets), { path: "url" });
  }
  if (!parsed) throw new NonRetryableError(`'${redactAll(url, secrets)}' is not a URL`, { path: "url" });
  const { target, display, password } = parsed;
  if (password) secrets.push(password, encodeURIComponent(password));
  return {
    url: display,
    headers: {},
    ssh: { ...target, ...(password ? { password } : {}) },
    // isomorphic-git only knows the stand-in URL: its messages name the flow's URL instead
    redact: (text) => redactAll(text, secrets).split(SSH_STAND_IN_URL).join(display),
  };
}

/** A private key's text, and each of its lines long enough to tell, so that no part of it is ever shown. */
function keySecrets(privateKey: string | undefined): string[] {
  if (!privateKey) return [];
  const lines = privateKey
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----"));
  return [privateKey, privateKey.trim(), ...lines];
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The password of a URL written in a text (`https://bob:pw@host`), whatever its length: the
 * secrets below are replaced only from three characters (a shorter one would hide letters all
 * over a message), and a URL the flow gave may carry a short one.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/@:'"]*):[^\s/'"]+@/gi;

/** Longest first, so a secret holding another is replaced whole. */
function redactAll(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) if (s.length >= 3) for (const f of [s, encodeURIComponent(s)]) forms.add(f);
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join("***");
  // after the secrets (a password holding `@` is then replaced whole); up to the host's `@`, the last one
  return out.replace(URL_PASSWORD, "$1:***@");
}

/** The URL of a commit on the hosting service, as Kestra builds it (GitHub, GitLab, Bitbucket, Azure). */
export function commitUrl(remoteUrl: string, branch: string, commitId: string): string {
  const base = webUrlOf(remoteUrl)
    .replace(/\/$/, "")
    .replace(/\.git$/, "");
  let url = `${base}/${base.includes("bitbucket.org") ? "commits" : "commit"}/${commitId}`;
  if (base.includes("azure.com")) url += `?refName=refs%2Fheads%2F${encodeURIComponent(branch)}`;
  return url;
}
