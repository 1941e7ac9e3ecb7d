/**
 * Kestra's `io.kestra.plugin.fs.ssh.Command`: runs the `commands`, joined by newlines, as one
 * command on an SSH exec channel (the login shell of the remote user runs them, as `ssh host
 * '…'` does), and logs what they print while they run. The work is in ./run.ts, loaded (with
 * ssh2) when a task runs, not with the plugin.
 *
 * @module
 */
import { defineTask, z } from "@saker/sdk";

const TYPE = "io.kestra.plugin.fs.ssh.Command";

const properties = z.object({
  host: z.string().min(1).describe("The remote host (with `authMethod: OPEN_SSH`, a `Host` of the configuration)."),
  port: z
    .union([z.number().int(), z.string().regex(/^\d+$/, "must be a port number")])
    .default("22")
    .describe("The SSH port (with `OPEN_SSH`, a `Port` of the configuration wins)."),
  authMethod: z
    .enum(["PASSWORD", "PUBLIC_KEY", "OPEN_SSH"])
    .default("PASSWORD")
    .describe(
      "`PASSWORD`: `username` and `password`; `PUBLIC_KEY`: `username` and `privateKey`; `OPEN_SSH`: the worker's OpenSSH configuration, allowed by the instance (`plugins.configurations`, type `io.kestra.plugin.fs.ssh.Command`, `allow-open-ssh-config: true`).",
    ),
  username: z.string().optional().describe("The remote user (with `OPEN_SSH`, default: the configuration's `User`)."),
  password: z.string().optional().describe("The password (`PASSWORD`; with `OPEN_SSH`, tried after the keys)."),
  privateKey: z.string().optional().describe("The private key, OpenSSH or PEM (`PUBLIC_KEY`)."),
  privateKeyPassphrase: z.string().optional().describe("The passphrase of `privateKey` (or of the `IdentityFile`s)."),
  commands: z.array(z.string()).min(1).describe("The commands, run one after the other by the remote shell."),
  env: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe(
      "Environment variables, sent as SSH `env` requests: OpenSSH sets only the names its `AcceptEnv` lists (Debian: `LANG LC_*`).",
    ),
  strictHostKeyChecking: z
    .enum(["yes", "no", "ask"])
    .default("no")
    .describe(
      "`no`: accept any host key (Kestra's default). `yes` or `ask` (nobody to ask): the key must be in a known hosts file, which only `OPEN_SSH` reads.",
    ),
  openSSHConfigPath: z.string().optional().describe("The OpenSSH configuration file for `OPEN_SSH`."),
  openSSHConfigDir: z
    .string()
    .default("~/.ssh/config")
    .describe("Deprecated: `openSSHConfigPath` (it names the file too)."),
  proxyCommand: z
    .string()
    .optional()
    .describe(
      "A local command whose stdin and stdout carry the connection (OpenSSH's `ProxyCommand`; `%h` host, `%p` port, `%r` user), run with `/bin/sh -c` on the worker.",
    ),
  enableSshRsa1: z
    .boolean()
    .default(false)
    .describe("Accept a host key signed with RSA/SHA-1 (`ssh-rsa`), which is off by default."),
  warningOnStdErr: z.boolean().optional().describe("Deprecated and ignored, as in Kestra."),
});

export type CommandProps = z.output<typeof properties>;

const outputs = z.object({
  exitCode: z.number().int().describe("The exit status of the commands (-1: ended by a signal)."),
  vars: z
    .record(z.string(), z.unknown())
    .describe('The `outputs` of the `::{"outputs":{…}}::` lines the commands printed.'),
});

export type CommandOutputs = z.input<typeof outputs>;

export const SshCommand = defineTask({
  type: TYPE,
  title: "Run commands on a remote host over SSH",
  description:
    'Logs in with a password, a private key or the worker\'s OpenSSH configuration and runs `commands` (joined by newlines) on the remote host. Lines printed on stdout are logged at INFO and on stderr at ERROR while the commands run; `::{"outputs":{…}}::` lines set `vars`. A non-zero exit status fails the task. When the task times out or is killed, the commands get TERM, then KILL, and the connection is closed.',
  examples: [
    {
      title: "Run commands with a password",
      code: `id: command\ntype: ${TYPE}\nhost: server.example.com\nusername: deploy\npassword: "{{ secret('SSH_PASSWORD') }}"\ncommands:\n  - cd /srv/app\n  - ./deploy.sh\n  - echo '::{"outputs":{"deployed":true}}::'`,
    },
    {
      title: "Run a command with a private key",
      code: `id: command\ntype: ${TYPE}\nhost: server.example.com\nport: "22"\nauthMethod: PUBLIC_KEY\nusername: deploy\nprivateKey: "{{ secret('SSH_PRIVATE_KEY') }}"\ncommands:\n  - uptime`,
    },
  ],
  properties,
  outputs,
  async run(props, ctx) {
    const { runSshCommand } = await import("./run.ts");
    return runSshCommand(props, ctx);
  },
});
