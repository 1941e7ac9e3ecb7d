/**
 * SSH remotes as git reads them: `ssh://[user[:password]@]host[:port]/path` (also `git+ssh://`
 * and `ssh+git://`) and the scp-like `[user@]host:path`, and the command git runs on the server
 * for them (`git-upload-pack '<path>'`). See gitprotocol-pack(5), "SSH Transport".
 */

export interface SshTarget {
  /** Host name or address (an IPv6 address without its brackets). */
  host: string;
  port: number;
  /** The login: the URL's user, else `git`. */
  user: string;
  /** The repository path given to git-upload-pack / git-receive-pack, as git sends it. */
  path: string;
}

export interface SshUrl {
  target: SshTarget;
  /** The URL without a password: what is logged, stored in `.git/config` and shown. */
  display: string;
  /** A password written in an `ssh://` URL (for password logins), when there is one. */
  password?: string;
}

export const DEFAULT_SSH_USER = "git";

/** The URL isomorphic-git is given for an SSH remote: it only accepts http(s) ones, and the SSH transport answers it. */
export const SSH_STAND_IN_URL = "http://ssh-transport.invalid/repository.git";

const SCHEMES = /^(ssh|git\+ssh|ssh\+git):\/\//i;
/** `[user@]host:path`, the host without a slash (or a bracketed IPv6 address), as git tells it from a local path. */
const SCP_LIKE = /^(?:([^@/:[\]]+)@)?(\[[^\]/]+\]|[^@/:[\]]+):(.*)$/s;

/** Whether `url` is one of git's SSH forms (it may still be malformed: see {@link parseSshUrl}). */
export function isSshUrl(url: string): boolean {
  return SCHEMES.test(url) || (!url.includes("://") && SCP_LIKE.test(url));
}

/**
 * The target of an SSH URL; undefined when `url` is not an SSH URL. Throws an Error (with a message
 * about the URL's form, never its password) when it is one but cannot be used.
 */
export function parseSshUrl(url: string): SshUrl | undefined {
  if (SCHEMES.test(url)) return parseSchemeUrl(url);
  if (url.includes("://")) return undefined;
  const m = SCP_LIKE.exec(url);
  if (!m) return undefined;
  const [, user, rawHost = "", path = ""] = m;
  if (!path) throw new Error("the SSH URL has no repository path after ':' (e.g. git@github.com:org/repo.git)");
  checkPath(path);
  return {
    target: { host: rawHost.replace(/^\[|\]$/g, ""), port: 22, user: user || DEFAULT_SSH_USER, path },
    display: url,
  };
}

function parseSchemeUrl(url: string): SshUrl {
  let parsed: URL;
  try {
    // WHATWG URLs parse the authority of any scheme; `ssh:` keeps the form git+ssh and ssh+git share
    parsed = new URL(url.replace(/^[^:]+:/, "ssh:"));
  } catch {
    throw new Error("the SSH URL is malformed (expected ssh://[user@]host[:port]/path)");
  }
  if (!parsed.hostname) throw new Error("the SSH URL has no host (expected ssh://[user@]host[:port]/path)");
  const port = parsed.port ? Number(parsed.port) : 22;
  let path = decode(parsed.pathname);
  if (!path || path === "/") throw new Error("the SSH URL has no repository path (expected ssh://host/path)");
  // `ssh://host/~user/repo` asks for a path in a home folder: git sends it without the leading '/'
  if (path.startsWith("/~")) path = path.slice(1);
  checkPath(path);
  const password = parsed.password ? decode(parsed.password) : undefined;
  const user = parsed.username ? decode(parsed.username) : undefined;
  parsed.password = "";
  const display = `${url.slice(0, url.indexOf(":"))}:${parsed.toString().slice("ssh:".length)}`;
  return {
    target: { host: parsed.hostname.replace(/^\[|\]$/g, ""), port, user: user || DEFAULT_SSH_USER, path },
    display,
    ...(password ? { password } : {}),
  };
}

function checkPath(path: string): void {
  if (/[\0\n\r]/.test(path)) throw new Error("the repository path of the SSH URL holds a control character");
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** `git-upload-pack '<path>'`: the path single-quoted as git quotes it (`'` → `'\''`, `!` → `'\!'`). */
export function sshCommand(service: "git-upload-pack" | "git-receive-pack", path: string): string {
  return `${service} '${path.replace(/'/g, "'\\''").replace(/!/g, "'\\!'")}'`;
}

/**
 * The web URL of a repository given by an SSH URL, as Kestra derives it for `commitURL`:
 * `git@[ssh.]host:[v3/]org/repo` → `https://host/org/repo` (Azure: `…/_git/repo`), and
 * `ssh://[user@]host[:port]/path` → `https://host/path`. Other URLs are returned as they are.
 */
export function webUrlOf(url: string): string {
  const scp = /^git@(?:ssh\.)?([^:]+):(?:v\d*\/)?(.*)$/.exec(url);
  if (scp) {
    let path = `${scp[1]}/${scp[2]}`;
    if (path.includes("azure.com")) {
      const cut = path.lastIndexOf("/");
      path = `${path.slice(0, cut)}/_git/${path.slice(cut + 1)}`;
    }
    return `https://${path}`;
  }
  if (SCHEMES.test(url)) {
    try {
      const parsed = new URL(url.replace(/^[^:]+:/, "ssh:"));
      return `https://${parsed.hostname}${parsed.pathname}`;
    } catch {
      return url;
    }
  }
  return url;
}
