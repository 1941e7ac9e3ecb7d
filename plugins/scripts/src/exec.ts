/**
 * Runs one script task: prepares the working directory (namespace files, input files, Python
 * dependencies), renders and assembles the command, hands it to the task runner, reads what the
 * script prints, and stores the output files.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { basename, delimiter, join } from "node:path";
import { NonRetryableError, withFinalState, type RunContext, type TaskOutcome } from "@saker/sdk";
import { assembleCommand, findOnPath, scriptLine, shellQuote } from "./commandLine.ts";
import { inheritedEnv, scriptEnv } from "./env.ts";
import { PYTHON_HELPERS, nodeHelpers } from "./helperPaths.ts";
import type { Language } from "./languages.ts";
import type { CommonProps, PythonProps, ScriptOutput } from "./properties.ts";
import { OutputReader } from "@saker/sdk/outputProtocol";
import { defaultCacheDir, installDependencies } from "./python/dependencies.ts";
import { ProcessRunner } from "./runners/process.ts";
import { selectRunner } from "./runners/select.ts";

export interface ScriptTaskProps extends CommonProps, Partial<PythonProps> {
  script?: string;
  commands?: string | string[];
}

export interface ScriptSpec {
  language: Language;
  /** The task's simple name, for messages: `python.Script`. */
  name: string;
  props: ScriptTaskProps;
  /** Legacy `Bash`: `outputFiles` are file names, known to the commands as `{{ outputFiles.<name> }}`. */
  namedOutputFiles?: boolean;
}

type Result = ScriptOutput | TaskOutcome<ScriptOutput>;

const URI_IN_COMMAND = /kestra:\/\/[^\s"'`;|&<>()]+/g;

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))) : [String(value)];
}

async function renderList(
  ctx: RunContext,
  value: string | readonly string[] | undefined,
  extra: Record<string, unknown>,
): Promise<string[]> {
  if (value === undefined) return [];
  if (typeof value === "string") return asList(await ctx.renderTyped(value, extra));
  return Promise.all(value.map((line) => ctx.render(line, extra)));
}

async function renderMap(
  ctx: RunContext,
  value: unknown,
  extra: Record<string, unknown>,
  what: string,
): Promise<Record<string, unknown>> {
  if (value === undefined) return {};
  let rendered = await ctx.renderValue(value, extra);
  if (typeof rendered === "string") {
    try {
      rendered = JSON.parse(rendered);
    } catch {
      throw new NonRetryableError(`${what}: must be a map, or a JSON object text`);
    }
  }
  if (!rendered || typeof rendered !== "object" || Array.isArray(rendered))
    throw new NonRetryableError(`${what}: must be a map`);
  return rendered as Record<string, unknown>;
}

/** Downloads each `kestra://` URI a command names into the working directory and puts its path instead. */
async function localizeUris(ctx: RunContext, workingDir: string, lines: string[]): Promise<string[]> {
  const local = new Map<string, string>();
  for (const uri of new Set(lines.flatMap((l) => l.match(URI_IN_COMMAND) ?? []))) {
    const name = `${local.size}-${basename(decodeURIComponent(uri.replace(/[?#].*$/, "")))}`;
    await ctx.workingFiles.write({ [join(".inputs", name)]: uri });
    local.set(uri, join(workingDir, ".inputs", name));
  }
  return local.size ? lines.map((l) => l.replace(URI_IN_COMMAND, (uri) => local.get(uri) ?? uri)) : lines;
}

function checkTargetOS(props: ScriptTaskProps): void {
  const windows = process.platform === "win32";
  if ((props.targetOS === "WINDOWS" && !windows) || (props.targetOS === "LINUX" && windows)) {
    throw new NonRetryableError(`targetOS is ${props.targetOS}, but this worker runs ${process.platform}`);
  }
}

interface Prepared {
  /** Variables the properties are rendered with (`workingDir`, `outputDir`, Bash's `outputFiles`). */
  extra: Record<string, unknown>;
  /** Environment variables the task sets itself. */
  set: Record<string, string>;
  outputDir: string | undefined;
}

/** Fills the working directory with namespace files and input files. */
async function prepareDirectory(spec: ScriptSpec, ctx: RunContext, workingDir: string): Promise<Prepared> {
  const { props } = spec;
  const extra: Record<string, unknown> = { workingDir };
  const set: Record<string, string> = { WORKING_DIR: workingDir };
  let outputDir: string | undefined;
  if (props.outputDirectory) {
    outputDir = join(workingDir, "_output");
    await mkdir(outputDir, { recursive: true });
    extra.outputDir = outputDir;
    set.OUTPUT_DIR = outputDir;
  }
  if (spec.namedOutputFiles && props.outputFiles?.length) {
    extra.outputFiles = Object.fromEntries(props.outputFiles.map((name) => [name, join(workingDir, name)]));
  }

  if (props.namespaceFiles && props.namespaceFiles.enabled !== false)
    await ctx.workingFiles.copyNamespaceFiles(props.namespaceFiles);
  if (props.inputFiles !== undefined)
    await ctx.workingFiles.write(await renderMap(ctx, props.inputFiles, extra, "inputFiles"));

  return { extra, set, outputDir };
}

export async function executeScript(spec: ScriptSpec, ctx: RunContext): Promise<Result> {
  const { props, language } = spec;
  checkTargetOS(props);
  const workingDir = await ctx.workingDir();
  const inherited = inheritedEnv();
  const { extra, set, outputDir } = await prepareDirectory(spec, ctx, workingDir);

  const userEnv = await renderMap(ctx, props.env, extra, "env");
  const { runner, options } = selectRunner(props);
  // Only the Process runner runs on this worker: others find their interpreter in their image.
  const local = runner === ProcessRunner;
  const searchPath = typeof userEnv.PATH === "string" ? userEnv.PATH : inherited.PATH;
  const interpreter =
    props.script !== undefined && !language.inline
      ? local
        ? findOnPath(language.interpreters, searchPath)
        : language.interpreters[0]
      : undefined;
  if (props.script !== undefined && !language.inline && !interpreter) {
    throw new NonRetryableError(
      `${spec.name} needs ${language.interpreters.map((i) => `'${i}'`).join(" or ")} on the PATH of the worker, and none was found (PATH=${searchPath ?? ""})`,
    );
  }
  const beforeCommands = await renderList(ctx, props.beforeCommands, extra);
  if (local)
    Object.assign(set, await helperPaths(spec, ctx, { userEnv, inherited, searchPath, workingDir, interpreter }));
  else if (props.dependencies?.length)
    beforeCommands.unshift(
      `${language.interpreters[0]} -m pip install --quiet ${props.dependencies.map(shellQuote).join(" ")}`,
    );
  const { env, taskEnv } = scriptEnv(userEnv, set, inherited);

  let scriptFile: string | undefined;
  let commands: string[];
  if (props.script !== undefined) {
    const text = await ctx.render(props.script, extra);
    if (language.inline) commands = [text];
    else {
      scriptFile = join(workingDir, `script-${randomBytes(4).toString("hex")}${language.extension}`);
      await writeFile(scriptFile, prelude(language, text) + text, { flag: "wx" });
      commands = [scriptLine(interpreter!, language, scriptFile)];
    }
  } else {
    commands = await renderList(ctx, props.commands, extra);
  }
  // A lone script file needs no shell around it: run its interpreter directly (one process fewer).
  const direct = scriptFile && !props.interpreter && beforeCommands.length === 0;
  const command = direct
    ? [interpreter!, ...(language.args ?? []), scriptFile!]
    : assembleCommand({
        language,
        interpreter: props.interpreter,
        failFast: props.failFast,
        beforeCommands: await localizeUris(ctx, workingDir, beforeCommands),
        commands: await localizeUris(ctx, workingDir, commands),
      });

  const reader = new OutputReader(ctx.logger, (m) => ctx.metric(m));
  ctx.signal.throwIfAborted();
  ctx.logger.debug("Running with {}: {}", runner.type, command.join(" "));
  const { exitCode } = await runner.run({
    command,
    workingDir,
    env,
    taskEnv,
    containerImage:
      props.containerImage ?? (typeof props.docker?.image === "string" ? props.docker.image : language.containerImage),
    options,
    signal: ctx.signal,
    logger: ctx.logger,
    taskRunId: ctx.taskRun.id,
    onLine: (line, stream) => reader.line(line, stream),
  });
  if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
  if (scriptFile) await rm(scriptFile, { force: true });

  const outputFiles = await storeOutputs(ctx, props.outputFiles, outputDir);
  const { vars, stderrLines, stderrTail } = reader;
  const outputs: ScriptOutput = { vars, exitCode, ...(outputFiles ? { outputFiles } : {}) };
  if (exitCode !== 0) {
    ctx.logger.error("{}", failureMessage(spec, exitCode, stderrTail));
    return withFinalState("FAILED", outputs);
  }
  if (props.warningOnStdErr === true && stderrLines > 0) return withFinalState("WARNING", outputs);
  return outputs;
}

/** Python's `true = True…` line, left out when the script starts with `from __future__` imports, which must come first. */
function prelude(language: Language, text: string): string {
  return language.prelude && !/^\s*from __future__ import/m.test(text) ? language.prelude : "";
}

interface HelperContext {
  userEnv: Record<string, unknown>;
  inherited: Record<string, string>;
  searchPath: string | undefined;
  workingDir: string;
  interpreter: string | undefined;
}

/** PYTHONPATH (the `kestra` module, installed `dependencies`) or NODE_PATH (`@kestra-io/libs`). */
async function helperPaths(spec: ScriptSpec, ctx: RunContext, h: HelperContext): Promise<Record<string, string>> {
  const { language, props } = spec;
  if (language.id === "node") return { NODE_PATH: nodeHelpers() };
  if (language.id !== "python") return {};
  if (!props.dependencies?.length) return { PYTHONPATH: PYTHON_HELPERS };
  const python = h.interpreter ?? findOnPath(language.interpreters, h.searchPath);
  if (!python)
    throw new NonRetryableError(
      `${spec.name}: installing 'dependencies' needs 'python3' or 'python' on the PATH of the worker`,
    );
  const config = ctx.pluginConfiguration();
  const installed = await installDependencies({
    python,
    dependencies: props.dependencies,
    env: scriptEnv(h.userEnv, {}, h.inherited).env,
    workingDir: h.workingDir,
    cacheDir: typeof config.cacheDir === "string" ? config.cacheDir : defaultCacheDir(),
    cache: props.dependencyCacheEnabled !== false,
    signal: ctx.signal,
    logger: ctx.logger,
    taskRunId: ctx.taskRun.id,
  });
  return { PYTHONPATH: `${PYTHON_HELPERS}${delimiter}${installed}` };
}

function failureMessage(spec: ScriptSpec, exitCode: number, stderrTail: readonly string[]): string {
  let message = `Command failed with exit code ${exitCode}`;
  if (exitCode === 127)
    message += ` (a command was not found; is ${spec.language.interpreters.map((i) => `'${i}'`).join(" or ")} on the PATH of the worker?)`;
  if (exitCode > 128 && exitCode < 160) message += ` (ended by signal ${exitCode - 128})`;
  return stderrTail.length ? `${message}. Last lines of stderr:\n${stderrTail.join("\n")}` : message;
}

async function storeOutputs(
  ctx: RunContext,
  globs: readonly string[] | undefined,
  outputDir: string | undefined,
): Promise<Record<string, string> | undefined> {
  const stored: Record<string, string> = {};
  for (const glob of globs ?? []) {
    const found = await ctx.workingFiles.upload([glob]);
    if (Object.keys(found).length === 0) ctx.logger.warn("outputFiles: no file matches '{}'", glob);
    Object.assign(stored, found);
  }
  if (outputDir) {
    for (const [path, uri] of Object.entries(await ctx.workingFiles.upload(["_output/**"])))
      stored[path.slice("_output/".length)] = uri;
  }
  return globs?.length || outputDir ? stored : undefined;
}
