/**
 * What `io.kestra.plugin.fs.ssh.Command` does when it runs: log in, run the commands on an exec
 * channel, stream their lines into the task's logger, and close everything whatever happens.
 *
 * @module
 */
import {
  TaskError,
  isSakerError,
  resolveOutbound,
  withFinalState,
  type RunContext,
  type TaskOutcome,
} from "@saker/sdk";
import { taskErrorOf } from "../connection.ts";
import { RemoteError } from "../remote/remoteFs.ts";
import { connectSsh, type RemoteExit, type SshConnection } from "./client.ts";
import type { CommandOutputs, CommandProps } from "./command.ts";
import { loginOf, type Login } from "./login.ts";
import { OutputReader, splitLines } from "@saker/sdk/outputProtocol";
import { proxyCommandLine, startProxy, type ProxyProcess } from "./proxyCommand.ts";

/** Where to connect: a checked address, or the stream of a proxy command. */
async function transportOf(props: CommandProps, login: Login, ctx: RunContext, target: string) {
  if (props.proxyCommand !== undefined) {
    const proxy = startProxy(proxyCommandLine(props.proxyCommand, login.host, login.port, login.username));
    return { proxy, sock: proxy.sock };
  }
  try {
    return { address: await resolveOutbound(ctx, login.host, "host") };
  } catch (error) {
    if (isSakerError(error)) throw error;
    throw new RemoteError(
      "UNREACHABLE",
      `Unable to connect to ${target}: cannot resolve host '${login.host}' (${(error as Error).message})`,
    );
  }
}

function failureMessage(exit: RemoteExit, stderrTail: readonly string[]): string {
  let message = exit.signal
    ? `The commands were ended by signal ${exit.signal}`
    : `The commands failed with exit code ${exit.code}`;
  if (exit.code === 127) message += " (a command of `commands` was not found on the remote host)";
  if (exit.code === 126) message += " (a command of `commands` could not be executed)";
  return stderrTail.length ? `${message}. Last lines of stderr:\n${stderrTail.join("\n")}` : message;
}

export async function runSshCommand(
  props: CommandProps,
  ctx: RunContext,
): Promise<CommandOutputs | TaskOutcome<CommandOutputs>> {
  const login = await loginOf(props, ctx);
  const target = `ssh://${login.host}:${login.port}`;
  if (props.enableSshRsa1) ctx.logger.info("RSA/SHA-1 host keys are accepted: SHA-1 is no longer considered secure");
  let proxy: ProxyProcess | undefined;
  let connection: SshConnection | undefined;
  // stderr's outputs over stdout's, and 5 lines of stderr in the failure message, as before
  const output = new OutputReader(ctx.logger, (m) => ctx.metric(m), { tail: 5, stderrOverStdout: true });
  // nothing is logged once the task is stopped: the run has ended for the engine
  const lines = (stream: "stdout" | "stderr") =>
    splitLines((line) => ctx.signal.aborted || output.line(line, stream), { loneCrEndsLine: true });
  const stdout = lines("stdout");
  const stderr = lines("stderr");
  try {
    const transport = await transportOf(props, login, ctx, target);
    proxy = transport.proxy;
    ctx.logger.debug("Connecting to {} ({})", target, props.authMethod);
    connection = await connectSsh(
      { ...login, ...transport, target, enableSshRsa1: props.enableSshRsa1 },
      ctx.signal,
    ).catch(async (error: unknown) => {
      // a proxy that ended explains the failure better than the broken pipe it left
      const ended = ctx.signal.aborted ? undefined : await proxy?.exitStatus(1000);
      if (!ended) throw error;
      const said = proxy!.stderrTail();
      throw new TaskError(`proxyCommand ${ended} before the SSH login${said ? `: ${said}` : ""}`, { cause: error });
    });
    const env = Object.fromEntries(Object.entries(props.env ?? {}).map(([k, v]) => [k, String(v)]));
    const exit = await connection.exec(props.commands.join("\n"), {
      env,
      onStdout: (chunk) => stdout.write(chunk),
      onStderr: (chunk) => stderr.write(chunk),
      signal: ctx.signal,
    });
    stdout.end();
    stderr.end();
    ctx.signal.throwIfAborted();
    if (exit.code === undefined && exit.signal === undefined)
      throw new TaskError(`The connection to ${target} was lost before the commands ended`);
    const result = { exitCode: exit.code ?? -1, vars: output.vars };
    if (result.exitCode === 0) return result;
    ctx.logger.error("{}", failureMessage(exit, output.stderrTail));
    return withFinalState("FAILED", result);
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw taskErrorOf(error);
  } finally {
    await connection?.close();
    proxy?.close();
  }
}
