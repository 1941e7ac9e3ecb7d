/**
 * `io.kestra.plugin.transform.grok.TransformValue` and `TransformItems`: grok expressions (as
 * Logstash's grok filter) parse a text, or every line of a file, into a map of named captures.
 */
import { defineTask, z, type RunContext } from "@saker/sdk";
import { ionValueOf, textLines, toIon } from "@saker/sdk/ion";
import { badProperty } from "../errors.ts";
import { openStored, storeLines } from "../records.ts";
import { compileGrok, type GrokMatcher } from "./compiler.ts";
import { patternDefinitions } from "./definitions.ts";
import { GrokThread, type Groups } from "./matchThreads.ts";

const PREFIX = "io.kestra.plugin.transform.grok";

const grokProperties = {
  pattern: z.string().optional().describe("The grok expression to match, e.g. `%{IP:client} %{WORD:method}`."),
  patterns: z
    .array(z.string())
    .optional()
    .describe("Several grok expressions, tried in order (used when `pattern` is not set)."),
  patternDefinitions: z
    .record(z.string(), z.string())
    .optional()
    .describe("Custom patterns, name → regular expression (may use `%{NAME}`); a standard name is replaced."),
  patternsDir: z
    .array(z.string())
    .optional()
    .describe(
      "Folders of the working directory holding pattern files (`NAME regex` per line), e.g. inside a WorkingDirectory task.",
    ),
  namedCapturesOnly: z
    .boolean()
    .default(true)
    .describe("Keep only named captures (`%{NAME:field}`, `(?<field>…)`); false also captures each `%{NAME}` as NAME."),
  keepEmptyCaptures: z
    .boolean()
    .default(false)
    .describe("Keep the fields of optional parts that did not match (as empty strings) instead of leaving them out."),
  breakOnFirstMatch: z
    .boolean()
    .default(true)
    .describe("Stop at the first expression that matches; false tries all and merges their captures."),
};

type GrokProps = z.output<z.ZodObject<typeof grokProperties>>;

/** The expressions of a task run, compiled; unknown conversion types are logged once. */
async function matchersOf(props: GrokProps, ctx: RunContext): Promise<GrokMatcher[]> {
  const sources: Array<[string, string]> =
    props.pattern !== undefined
      ? [["pattern", props.pattern]]
      : (props.patterns ?? []).map((p, i) => [`patterns[${i}]`, p]);
  if (sources.length === 0)
    throw badProperty("pattern", "or 'patterns' must be set: give the grok expression to match");
  const definitions = await patternDefinitions(ctx, props.patternsDir, props.patternDefinitions);
  const matchers = sources.map(([property, source]) =>
    compileGrok(source, definitions, props.namedCapturesOnly, property),
  );
  const unknown = [...new Set(matchers.flatMap((m) => m.unknownTypes))];
  if (unknown.length)
    ctx.logger.warn(
      `grok conversion type ${unknown.map((t) => `'${t}'`).join(", ")} unknown: those captures stay strings (known: int, long, short, float, double, boolean, string, duration)`,
    );
  return matchers;
}

/**
 * The captures of a text from the groups each expression's match gave (null: no match): the first
 * matching expression's, or all matching ones merged.
 */
function capture(
  found: ReadonlyArray<Groups | null>,
  matchers: readonly GrokMatcher[],
  props: GrokProps,
): Record<string, unknown> {
  const merged: Array<[string, unknown]> = [];
  for (const [i, groups] of found.entries()) {
    if (!groups) continue;
    for (const entry of Object.entries(matchers[i]!.fromGroups(groups)))
      if (props.keepEmptyCaptures || (entry[1] !== null && entry[1] !== "")) merged.push(entry);
    if (props.breakOnFirstMatch) break;
  }
  return Object.fromEntries(merged);
}

/** The most lines, and characters, sent to the matching thread at once. */
const BATCH_LINES = 1000;
const BATCH_CHARS = 1 << 20;

/** The texts of a file's non-blank lines, a batch of at most BATCH_LINES lines or BATCH_CHARS characters at a time. */
async function* textBatches(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<string[]> {
  let batch: string[] = [];
  let chars = 0;
  for await (const line of textLines(stream)) {
    if (signal.aborted) throw signal.reason;
    if (line.trim() === "") continue;
    const text = lineText(line);
    batch.push(text);
    chars += text.length;
    if (batch.length >= BATCH_LINES || chars >= BATCH_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length) yield batch;
}

/** Runs `use` with a matching thread leased for the task run (see matchThreads.ts). */
async function withThread<T>(
  matchers: readonly GrokMatcher[],
  props: GrokProps,
  ctx: RunContext,
  use: (thread: GrokThread) => Promise<T>,
): Promise<T> {
  const thread = await GrokThread.lease(
    matchers.map((m) => m.regex),
    props.breakOnFirstMatch,
    ctx.signal,
  );
  try {
    return await use(thread);
  } finally {
    thread.release();
  }
}

/**
 * A line of the input as the text to parse: an Ion file of strings (what Kestra's tasks write,
 * one `"…"` per line) gives each string, any other line is taken as it is.
 */
function lineText(line: string): string {
  const trimmed = line.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    const value = ionValueOf(trimmed);
    if (typeof value === "string") return value;
  }
  return line;
}

export const TransformValue = defineTask({
  type: `${PREFIX}.TransformValue`,
  title: "Parse a text with grok expressions",
  description:
    "Matches `from` against grok expressions, as Logstash's grok filter does, and returns the named captures as the map `value` (empty when nothing matches). The standard patterns (WORD, INT, NUMBER, IP, HOSTNAME, TIMESTAMP_ISO8601, LOGLEVEL, COMBINEDAPACHELOG…) are built in.",
  examples: [
    {
      title: "Split a log line",
      code: `id: parse\ntype: ${PREFIX}.TransformValue\nfrom: "2024-05-01T10:00:00Z ERROR disk full"\npattern: "%{TIMESTAMP_ISO8601:logdate} %{LOGLEVEL:loglevel} %{GREEDYDATA:message}"`,
    },
  ],
  properties: z.object({ from: z.string().describe("The text to parse."), ...grokProperties }),
  outputs: z.object({ value: z.record(z.string(), z.unknown()).describe("The captures, field → value.") }),
  async run(props, ctx) {
    const matchers = await matchersOf(props, ctx);
    const [found] = await withThread(matchers, props, ctx, (thread) => thread.match([props.from]));
    return { value: capture(found!, matchers, props) };
  },
});

export const TransformItems = defineTask({
  type: `${PREFIX}.TransformItems`,
  title: "Parse the lines of a file with grok expressions",
  description:
    "Matches every line of a file of internal storage (a text file, or an Ion file of strings as Kestra's tasks write) against grok expressions and writes the captures of each matching line as a record of an Ion file; lines that match nothing are left out. The file streams through.",
  examples: [
    {
      title: "Structure a log file",
      code: `id: parse\ntype: ${PREFIX}.TransformItems\nfrom: "{{ outputs.download.uri }}"\npattern: "%{TIMESTAMP_ISO8601:logdate} %{LOGLEVEL:loglevel} %{GREEDYDATA:message}"`,
    },
  ],
  properties: z.object({
    from: z.string().describe("The `kestra://` URI of the file to parse, one item per line."),
    ...grokProperties,
  }),
  outputs: z.object({
    uri: z.string().describe("URI of the Ion file of captures on internal storage, one record per matching line."),
    processedItemsTotal: z.number().int().describe("The number of records written (lines that matched)."),
  }),
  async run(props, ctx) {
    const matchers = await matchersOf(props, ctx);
    const stream = await openStored(ctx, "from", props.from);
    let written = 0;
    async function* records(thread: GrokThread): AsyncGenerator<string> {
      for await (const batch of textBatches(stream, ctx.signal))
        for (const found of await thread.match(batch)) {
          const captured = capture(found, matchers, props);
          if (Object.keys(captured).length === 0) continue;
          written++;
          yield `${toIon(captured)}\n`;
        }
    }
    try {
      const uri = await withThread(matchers, props, ctx, (thread) => storeLines(ctx, "parsed.ion", records(thread)));
      return { uri, processedItemsTotal: written };
    } finally {
      stream.destroy();
    }
  },
});
