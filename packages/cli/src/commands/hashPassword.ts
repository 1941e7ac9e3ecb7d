import type { Command } from "commander";
import { SakerError } from "@saker/sdk/errors";

/** Reads a line from a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    let value = "";
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === "\r" || c === "\n") {
          done();
          return resolve(value);
        }
        if (c === "\u0003") {
          done();
          return reject(new SakerError("CLI_USAGE", "cancelled"));
        }
        value = c === "\u007f" || c === "\b" ? value.slice(0, -1) : value + c;
      }
    };
    const done = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
    };
    input.on("data", onData);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await promptHidden("Password: ");
  const second = await promptHidden("Again: ");
  if (first !== second) throw new SakerError("CLI_USAGE", "the passwords differ");
  return first;
}

/** `saker server hash-password`: prints a `scrypt$N$r$p$salt$hash` for `server.basicAuth.users`. */
export function configureHashPasswordCommand(server: Command): void {
  server
    .command("hash-password")
    .description(
      "Hash a password for server.basicAuth.users[].passwordHash (asked for on a terminal, else read from standard input)",
    )
    .action(async () => {
      const password = await readPassword();
      if (password.length === 0) throw new SakerError("CLI_USAGE", "the password is empty");
      const { hashPassword } = await import("@saker/server");
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
