/**
 * From the task's properties to what the connection needs: the host, port and user, the login
 * methods in order, the host key policy and the timeouts. With `authMethod: OPEN_SSH` these come
 * from the worker's OpenSSH configuration (when the instance allows reading it), as Kestra's
 * JSch applies it: HostName, Port and IdentityFile from the configuration, User when the task
 * gives no username.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { NonRetryableError, type RunContext } from "@saker/sdk";
import ssh2, { type ParsedKey } from "ssh2";
import type { HostKeyPolicy, LoginMethod } from "./client.ts";
import { expandPath, hostConfig, type Expansion } from "./openSsh.ts";

/** The plugin configuration key that lets `OPEN_SSH` read the worker's files (Kestra's name). */
export const ALLOW_OPEN_SSH_CONFIG = "allow-open-ssh-config";
const CONNECT_TIMEOUT_MS = 30_000;
const KEEPALIVE_INTERVAL_MS = 15_000;

export interface LoginProps {
  host: string;
  port: string | number;
  authMethod: "PASSWORD" | "PUBLIC_KEY" | "OPEN_SSH";
  username?: string | undefined;
  password?: string | undefined;
  privateKey?: string | undefined;
  privateKeyPassphrase?: string | undefined;
  strictHostKeyChecking: "yes" | "no" | "ask";
  openSSHConfigDir: string;
  openSSHConfigPath?: string | undefined;
}

export interface Login {
  /** The host to connect to (HostName of the OpenSSH configuration, or `host`). */
  host: string;
  port: number;
  username: string;
  methods: LoginMethod[];
  hostKeys: HostKeyPolicy;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
}

/**
 * A private key ssh2 can sign with, or an error saying which property to fix. The key itself
 * never appears in a message.
 */
export function privateKeyOf(text: string, passphrase: string | undefined, what: string): ParsedKey {
  const first = (parsed: ReturnType<typeof ssh2.utils.parseKey>) => (Array.isArray(parsed) ? parsed[0]! : parsed);
  let key = first(ssh2.utils.parseKey(text));
  if (key instanceof Error && /no passphrase given/i.test(key.message)) {
    if (passphrase === undefined) throw new NonRetryableError(`${what} is encrypted: set privateKeyPassphrase`);
    key = first(ssh2.utils.parseKey(text, passphrase));
    if (key instanceof Error) throw new NonRetryableError(`privateKeyPassphrase does not decrypt ${what}`);
  }
  if (key instanceof Error) throw new NonRetryableError(`${what} is not a private key ssh2 can read (${key.message})`);
  if (key.getPrivatePEM() === null) throw new NonRetryableError(`${what} is a public key: give the private key`);
  return key;
}

function portOf(value: string | number, property: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new NonRetryableError(`${property} must be a port number from 1 to 65535 (got '${value}')`);
  return port;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

const NO_KNOWN_HOSTS =
  "with authMethod PASSWORD or PUBLIC_KEY no known hosts file is read (as in Kestra): use authMethod OPEN_SSH (its UserKnownHostsFile, default ~/.ssh/known_hosts), or strictHostKeyChecking: no";

/** PASSWORD and PUBLIC_KEY: everything is in the properties. */
function directLogin(props: LoginProps): Login {
  const method = props.authMethod;
  if (!props.username) throw new NonRetryableError(`username is required with authMethod ${method}`);
  let methods: LoginMethod[];
  if (method === "PASSWORD") {
    if (props.password === undefined) throw new NonRetryableError("password is required with authMethod PASSWORD");
    methods = [{ type: "password", password: props.password }];
  } else {
    if (!props.privateKey) throw new NonRetryableError("privateKey is required with authMethod PUBLIC_KEY");
    methods = [{ type: "publickey", key: privateKeyOf(props.privateKey, props.privateKeyPassphrase, "privateKey") }];
  }
  return {
    host: props.host,
    port: portOf(props.port, "port"),
    username: props.username,
    methods,
    hostKeys:
      props.strictHostKeyChecking === "no"
        ? { check: false }
        : { check: true, name: props.host, knownHosts: new Map(), advice: NO_KNOWN_HOSTS },
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    keepaliveIntervalMs: KEEPALIVE_INTERVAL_MS,
  };
}

/** OPEN_SSH: the worker's configuration, identity files and known_hosts. */
async function openSshLogin(props: LoginProps, ctx: Pick<RunContext, "logger">): Promise<Login> {
  const expansion: Expansion = { home: homedir(), localUser: userInfo().username };
  const property = props.openSSHConfigPath !== undefined ? "openSSHConfigPath" : "openSSHConfigDir";
  const configPath = expandPath(props.openSSHConfigPath ?? props.openSSHConfigDir, expansion, {
    host: props.host,
    user: "",
    port: 22,
  });
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (error) {
    throw new NonRetryableError(
      `${property}: cannot read the OpenSSH configuration '${configPath}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const config = hostConfig(text, props.host);
  for (const ignored of config.ignored)
    ctx.logger.warn("OpenSSH configuration '{}': '{}' is not supported and is ignored", configPath, ignored);
  const host = config.hostName ?? props.host;
  const port = config.port ?? portOf(props.port, "port");
  const username = props.username || config.user || expansion.localUser;
  const tokens = { host, user: username, port };
  const methods: LoginMethod[] = [];
  for (const file of config.identityFiles) {
    const path = expandPath(file, expansion, tokens);
    const key = await readIfPresent(path).catch((error: NodeJS.ErrnoException) => {
      throw new NonRetryableError(`IdentityFile '${path}' of ${configPath} cannot be read (${error.code})`);
    });
    if (key === undefined) ctx.logger.warn("IdentityFile '{}' of {} does not exist: skipped", path, configPath);
    else
      methods.push({ type: "publickey", key: privateKeyOf(key, props.privateKeyPassphrase, `IdentityFile '${path}'`) });
  }
  if (props.password !== undefined) methods.push({ type: "password", password: props.password });
  if (!methods.length)
    throw new NonRetryableError(
      `authMethod OPEN_SSH: ${configPath} gives no IdentityFile for '${props.host}' and the task no password`,
    );
  let hostKeys: HostKeyPolicy = { check: false };
  if (props.strictHostKeyChecking !== "no") {
    const files = config.userKnownHostsFiles.length ? config.userKnownHostsFiles : ["~/.ssh/known_hosts"];
    const knownHosts = new Map<string, string>();
    for (const file of files) {
      const path = expandPath(file, expansion, tokens);
      const known = await readIfPresent(path).catch(() => undefined);
      if (known !== undefined) knownHosts.set(path, known);
    }
    const advice = "add it (ssh-keyscan), or set strictHostKeyChecking: no";
    hostKeys = { check: true, name: config.hostKeyAlias ?? host, knownHosts, advice };
  }
  return {
    host,
    port,
    username,
    methods,
    hostKeys,
    connectTimeoutMs: config.connectTimeout ? config.connectTimeout * 1000 : CONNECT_TIMEOUT_MS,
    keepaliveIntervalMs: config.serverAliveInterval ? config.serverAliveInterval * 1000 : KEEPALIVE_INTERVAL_MS,
  };
}

export async function loginOf(
  props: LoginProps,
  ctx: Pick<RunContext, "logger" | "pluginConfiguration">,
): Promise<Login> {
  if (props.authMethod !== "OPEN_SSH") return directLogin(props);
  const allowed = ctx.pluginConfiguration()[ALLOW_OPEN_SSH_CONFIG];
  if (allowed !== true && allowed !== "true")
    throw new NonRetryableError(
      `authMethod OPEN_SSH reads the worker's OpenSSH configuration, which the instance must allow: plugins.configurations, type io.kestra.plugin.fs.ssh.Command, values: { ${ALLOW_OPEN_SSH_CONFIG}: true }`,
    );
  return openSshLogin(props, ctx);
}
