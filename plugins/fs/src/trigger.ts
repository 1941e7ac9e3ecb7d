/**
 * The polling trigger of every protocol: list, download into storage, act on the files, then
 * start one execution. With MOVE or DELETE the files leave the watched directory before the event
 * is returned, so each file starts exactly one execution. With NONE they stay, and what was seen
 * (path, size, date) is kept in the flow namespace's KV store so a file fires again only when it
 * changes, as `on` says.
 *
 * @module
 */
import { duration, z, type TriggerContext, type TriggerEvent } from "@saker/sdk";
import { withSession, type ConnectionProps, type Protocol } from "./connection.ts";
import {
  ACTIONS,
  checkAction,
  downloadFile,
  limitFiles,
  listFiles,
  performAction,
  sortFiles,
  type Action,
  type ListedFile,
  type Sort,
} from "./operations.ts";

export const ON = ["CREATE", "UPDATE", "CREATE_OR_UPDATE"] as const;
type On = (typeof ON)[number];

export const triggerShape = {
  from: z.string().min(1).describe("The remote directory to watch."),
  action: z
    .enum(ACTIONS)
    .describe("What to do with the files once downloaded: MOVE (into `moveDirectory`), DELETE or NONE."),
  moveDirectory: z.string().optional().describe("Where `action: MOVE` puts the files."),
  on: z
    .enum(ON)
    .default("CREATE_OR_UPDATE")
    .describe("With `action: NONE`: fire for new files (CREATE), changed ones (UPDATE) or both."),
  stateKey: z.string().optional().describe("With `action: NONE`: the KV key holding what was seen."),
  stateTtl: duration().optional().describe("With `action: NONE`: how long what was seen is kept."),
};

interface TriggerProps {
  from: string;
  action: Action;
  moveDirectory?: string | undefined;
  on: On;
  stateKey?: string | undefined;
  stateTtl?: number | undefined;
  regExp?: string | undefined;
  recursive: boolean;
  maxFiles: number;
  sort: Sort;
}

/** What the state remembers of a file: `<modified ms>_<size>_<path>`. */
type SeenState = Record<string, string>;

function versionOf(item: ListedFile): string {
  const modified = item.file.updatedDate ? Date.parse(item.file.updatedDate) : 0;
  return `${modified}_${item.file.size ?? 0}_${item.file.path}`;
}

function keyOf(ctx: TriggerContext, props: TriggerProps): string {
  return props.stateKey ?? `${ctx.flow.namespace}_${ctx.flow.id}_${ctx.trigger.id}`.replace(/[^a-zA-Z0-9._-]/g, "_");
}

export async function evaluateTrigger(
  protocol: Protocol,
  props: ConnectionProps & TriggerProps,
  ctx: TriggerContext,
): Promise<TriggerEvent | undefined> {
  checkAction(props.action, props.moveDirectory);
  const removes = props.action !== "NONE";
  const kv = ctx.kv();
  const stateKey = keyOf(ctx, props);
  const seen: SeenState = removes ? {} : (((await kv.get(stateKey))?.value as SeenState | undefined) ?? {});
  const fired = await withSession(protocol, props, { ...ctx, task: ctx.trigger }, async (session) => {
    const listed = await listFiles(session, props.from, { regExp: props.regExp, recursive: props.recursive });
    if (!listed) {
      ctx.logger.debug("From path doesn't exist '{}'", props.from);
      return [];
    }
    const pending: { item: ListedFile; changeType: "CREATE" | "UPDATE" }[] = [];
    for (const item of listed) {
      if (removes) {
        pending.push({ item, changeType: "CREATE" });
        continue;
      }
      const before = seen[item.file.path];
      const version = versionOf(item);
      if (before === version) continue;
      const changeType = before === undefined ? "CREATE" : "UPDATE";
      if (props.on === "CREATE_OR_UPDATE" || props.on === changeType) pending.push({ item, changeType });
      else seen[item.file.path] = version;
    }
    const chosen = limitFiles(
      sortFiles(
        pending.map((p) => ({ ...p, file: p.item.file })),
        props.sort,
      ),
      props.maxFiles,
      ctx.logger,
    );
    const files = [];
    for (const { item, changeType } of chosen) {
      const { uri } = await downloadFile(session, ctx.storage, item.serverPath);
      ctx.logger.debug("File '{}' downloaded to '{}'", item.file.path, uri);
      files.push({ ...item.file, path: uri, changeType });
    }
    // The action runs before the event is returned: a file moved or deleted is never listed again.
    await performAction(
      session,
      chosen.map((c) => c.item),
      props.action,
      props.moveDirectory,
      ctx.logger,
    );
    for (const { item } of chosen) seen[item.file.path] = versionOf(item);
    return files;
  });
  if (!removes)
    await kv.set(stateKey, seen, {
      type: "JSON",
      ...(props.stateTtl !== undefined ? { ttlMs: props.stateTtl } : {}),
    });
  return fired.length ? { variables: { files: fired } } : undefined;
}
