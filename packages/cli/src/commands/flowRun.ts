import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { isSakerError, SakerError } from "@saker/sdk/errors";
import type { Execution, LogEntry } from "@saker/engine";
import { configFrom, RESET_DATABASE_HELP, withInstanceOptions, type GlobalOptions } from "../options.ts";
import { listFlowFiles } from "../flowFiles.ts";
import { formatLog, summariseExecution } from "../format.ts";

interface RunOptions extends GlobalOptions {
  flows?: string[];
  input: string[];
  json?: boolean;
  quiet?: boolean;
  timeout?: string;
  resetDatabase?: boolean;
}

/** `--input k=v` and `--input k=@path` (a file for a FILE input). */
export async function parseInputs(pairs: readonly string[]): Promise<Record<string, unknown>> {
  const { FileUpload } = await import("@saker/engine");
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new SakerError("CLI_USAGE", `--input takes key=value or key=@file, got '${pair}'`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    inputs[key] = value.startsWith("@") ? FileUpload.fromPath(value.slice(1)) : value;
  }
  return inputs;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Ctrl-C stops the run gracefully: the instance closes (the execution resumes at the next start
 * on this data folder, and the stop is not counted as abrupt). A second Ctrl-C exits at once.
 */
async function untilInterrupted<T>(work: Promise<T>, executionId: string): Promise<T> {
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () => {
      process.exitCode = 130;
      reject(
        new SakerError(
          "INTERRUPTED",
          `Interrupted; execution '${executionId}' resumes at the next start on this data folder`,
        ),
      );
    };
    process.once("SIGINT", onSignal);
  });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    process.off("SIGINT", onSignal!);
  }
}

/** `saker flow run FILE`: deploys the flow (and `--flows`), runs it to the end, streams its logs. */
export function configureFlowRunCommand(flow: Command): void {
  withInstanceOptions(
    flow
      .command("run")
      .description(
        "Run a flow to its end on the embedded backend, streaming its logs; exits non-zero unless SUCCESS or WARNING",
      )
      .argument("<file>", "the flow file")
      .option("--flows <dir>", "also deploy the flows of this folder (subflows, triggered flows); repeatable", collect)
      .option("-i, --input <key=value>", "an input value; key=@path uploads a file; repeatable", collect, [])
      .option("--json", "print the execution as Kestra's JSON on stdout (logs stay on stderr)")
      .option("-q, --quiet", "do not stream the logs")
      .addOption(new Option("--timeout <seconds>", "give up after this many seconds").default("0"))
      .option("--reset-database", RESET_DATABASE_HELP),
  ).action(async (file: string, options: RunOptions) => {
    const { createEngineApi, Instance } = await import("@saker/engine");
    const instance = await Instance.open(await configFrom(options), { resetDatabase: options.resetDatabase === true });
    const api = createEngineApi(instance);
    try {
      for (const other of listFlowFiles(options.flows ?? [])) {
        try {
          await instance.deploy(readFileSync(other, "utf8"), other);
        } catch (error) {
          process.stderr.write(`warning: skipped ${other}: ${isSakerError(error) ? error.message : String(error)}\n`);
        }
      }
      const { flow } = await instance.deploy(readFileSync(file, "utf8"), file);
      const mine = new Set<string>();
      const locate = (entry: LogEntry) => {
        try {
          const loaded = instance.flows.find(entry.namespace, entry.flowId);
          const path =
            loaded && instance.flows.graph(entry.namespace, entry.flowId, loaded.stored.revision).pathOf(entry.taskId!);
          return path
            ? `${path} of ${entry.flowId === flow.id && entry.namespace === flow.namespace ? file : `${entry.namespace}/${entry.flowId}`}`
            : undefined;
        } catch {
          return undefined;
        }
      };
      const onLog = (entry: LogEntry) => {
        if (!options.quiet && entry.executionId && mine.has(entry.executionId))
          process.stderr.write(`${formatLog(instance.secretGuard.display(entry), locate)}\n`);
      };
      const onExecution = (x: Execution) => {
        if (x.trigger?.variables?.executionId && mine.has(String(x.trigger.variables.executionId))) mine.add(x.id);
      };
      instance.events.on("log", onLog);
      instance.events.on("execution", onExecution);
      const created = await api.executions.create(flow.namespace, flow.id, {
        inputs: await parseInputs(options.input),
      });
      mine.add(created.id);
      const execution = await untilInterrupted(
        api.executions.waitForSettled(created.id, Number(options.timeout) * 1000),
        created.id,
      );
      instance.events.off("log", onLog);
      const shown = instance.secretGuard.display(execution);
      process.stdout.write(options.json ? `${JSON.stringify(shown, null, 2)}\n` : summariseExecution(shown));
      const state = execution.state.current;
      if (state !== "SUCCESS" && state !== "WARNING") process.exitCode = 1;
    } catch (error) {
      const { asDiskFull } = await import("@saker/engine");
      throw asDiskFull(error, instance.config.home);
    } finally {
      await instance.close();
    }
  });
}
