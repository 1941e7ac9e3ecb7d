/**
 * Triggers as the API shows and changes them: every trigger declared by a flow joined with its
 * persisted state (Kestra's `Trigger` JSON), enabling and disabling, unlocking, and backfills of
 * Schedule triggers.
 */
import { SakerError } from "@saker/sdk";
import type { Backfill, TriggerKey, TriggerState } from "../backend/records.ts";
import type { Instance } from "../runtime/instance.ts";
import { pageWindow, type Page } from "../backend/search.ts";
import {
  declaredTriggers,
  findTrigger,
  SCHEDULE,
  triggerKey,
  type DeclaredTrigger,
} from "../runtime/triggers/flowTriggers.ts";

/** Kestra's `Trigger` (a trigger context) as the API returns it. */
export interface TriggerView {
  tenantId: string;
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  date?: string;
  nextExecutionDate?: string;
  backfill?: Backfill;
  stopAfter?: string[];
  executionId?: string;
  updatedDate?: string;
  disabled: boolean;
}

export interface TriggerListing {
  triggerContext: TriggerView;
  abstractTrigger: Record<string, unknown>;
}

function view(instance: Instance, declared: DeclaredTrigger, state: TriggerState | undefined): TriggerView {
  const stopAfter = declared.trigger.stopAfter;
  return {
    tenantId: instance.config.tenantId,
    ...triggerKey(declared),
    type: declared.trigger.type,
    ...(state?.lastDate ? { date: state.lastDate } : {}),
    ...(state?.nextDate ? { nextExecutionDate: state.nextDate } : {}),
    ...(state?.backfill ? { backfill: state.backfill } : {}),
    ...(Array.isArray(stopAfter) ? { stopAfter: stopAfter.map(String) } : {}),
    ...(state?.executionId ? { executionId: state.executionId } : {}),
    ...(state?.updatedDate ? { updatedDate: state.updatedDate } : {}),
    disabled: state?.disabled === true || declared.trigger.disabled === true,
  };
}

const stateKey = (k: TriggerKey) => `${k.namespace}\u0000${k.flowId}\u0000${k.triggerId}`;

/** Which triggers a search or a bulk action takes: a namespace and those below it (only it, `namespaceExact`), a flow, a text. */
export interface TriggerFilter {
  namespace?: string;
  namespaceExact?: boolean;
  flowId?: string;
  q?: string;
}

/** An order of a trigger search. */
export interface TriggerSort {
  field: "namespace" | "flowId" | "triggerId";
  desc: boolean;
}

/** Every declared trigger (disabled ones too) of a namespace prefix / flow, with its state. */
export async function listTriggers(instance: Instance, filter: TriggerFilter = {}): Promise<TriggerListing[]> {
  const { q, namespaceExact, ...scope } = filter;
  const declared = declaredTriggers(instance, { ...scope, includeDisabled: true }).filter(
    ({ flow, trigger }) =>
      (!namespaceExact || flow.namespace === scope.namespace) &&
      (!q || [flow.id, flow.namespace, trigger.id].some((s) => s.includes(q))),
  );
  if (declared.length === 0) return [];
  // one read of the states of the scope, joined in memory
  const states = new Map(
    (await instance.backend.triggers.list(instance.config.tenantId, scope)).map((s) => [stateKey(s), s]),
  );
  return declared.map((d) => ({
    triggerContext: view(instance, d, states.get(stateKey(triggerKey(d)))),
    abstractTrigger: { ...d.trigger },
  }));
}

/** The declared trigger of a key, in the flow's latest revision as the database has it. */
async function declared(instance: Instance, key: TriggerKey): Promise<DeclaredTrigger> {
  await instance.refreshFlow(key.namespace, key.flowId);
  const found = findTrigger(instance, key.namespace, key.flowId, key.triggerId);
  if (!found)
    throw new SakerError(
      "TRIGGER_NOT_FOUND",
      `Trigger '${key.triggerId}' of flow '${key.namespace}/${key.flowId}' not found`,
    );
  return found;
}

const stateOf = (instance: Instance, key: TriggerKey) => instance.backend.triggers.get(instance.config.tenantId, key);

/** Changes a trigger's state atomically (on PostgreSQL the row is locked meanwhile, whichever process changes it). */
const updateState = (instance: Instance, key: TriggerKey, change: (current: TriggerState) => TriggerState) =>
  instance.backend.triggers.update(instance.config.tenantId, key, change);

export async function getTrigger(instance: Instance, key: TriggerKey): Promise<TriggerView> {
  const d = await declared(instance, key);
  return view(instance, d, await stateOf(instance, key));
}

export async function setTriggerDisabled(instance: Instance, key: TriggerKey, disabled: boolean): Promise<TriggerView> {
  const d = await declared(instance, key);
  return view(instance, d, await updateState(instance, key, (current) => ({ ...current, disabled })));
}

/** Forgets when a polling trigger last ran so it is evaluated at the next tick (Kestra's unlock/restart). */
export async function unlockTrigger(instance: Instance, key: TriggerKey): Promise<TriggerView> {
  const d = await declared(instance, key);
  const state = await updateState(instance, key, (current) => {
    const next = { ...current };
    if (d.trigger.type !== SCHEDULE) delete next.nextDate;
    return next;
  });
  return view(instance, d, state);
}

export interface BackfillRequest {
  start: string;
  end?: string;
  inputs?: Record<string, unknown>;
  labels?: { key: string; value: string }[];
  paused?: boolean;
}

function dateOf(text: string, field: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new SakerError("BACKFILL_INVALID", `backfill.${field}: '${text}' is not an ISO-8601 date-time`, {
      details: { path: `backfill.${field}` },
    });
  return date;
}

/** Starts a backfill of a Schedule: every date in `[start, end]` (end defaults to now) gets an execution. */
export async function startBackfill(
  instance: Instance,
  key: TriggerKey,
  request: BackfillRequest,
  now = new Date(),
): Promise<TriggerView> {
  const d = await declared(instance, key);
  if (d.trigger.type !== SCHEDULE)
    throw new SakerError(
      "BACKFILL_INVALID",
      `Trigger '${key.triggerId}' is a ${d.trigger.type}: only Schedule triggers can be backfilled`,
    );
  const start = dateOf(request.start, "start");
  const end = request.end ? dateOf(request.end, "end") : undefined;
  if (end && end < start)
    throw new SakerError("BACKFILL_INVALID", "backfill.end: must not be before backfill.start", {
      details: { path: "backfill.end" },
    });
  if (start > now)
    throw new SakerError("BACKFILL_INVALID", "backfill.start: must be in the past", {
      details: { path: "backfill.start" },
    });
  const running = () =>
    new SakerError("BACKFILL_RUNNING", `Trigger '${key.triggerId}' already has a backfill running; delete it first`);
  // Without an end the backfill stops at the time it was asked for, not at a moving "now": the
  // dates after it are the regular schedule's own. Checked again under the row's lock: two
  // requests at once start one backfill.
  const state = await updateState(instance, key, (current) => {
    if (current.backfill) throw running();
    const backfill: Backfill = {
      start: start.toISOString(),
      end: (end ?? now).toISOString(),
      currentDate: start.toISOString(),
      paused: request.paused === true,
      ...(request.inputs ? { inputs: request.inputs } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
      ...(current.nextDate ? { previousNextExecutionDate: current.nextDate } : {}),
    };
    return { ...current, backfill };
  });
  return view(instance, d, state);
}

export async function changeBackfill(
  instance: Instance,
  key: TriggerKey,
  change: "pause" | "unpause" | "delete",
): Promise<TriggerView> {
  const d = await declared(instance, key);
  const missing = () => new SakerError("BACKFILL_NOT_FOUND", `Trigger '${key.triggerId}' has no backfill`);
  const state = await updateState(instance, key, (s) => {
    if (!s.backfill) throw missing();
    const next = { ...s };
    if (change === "delete") delete next.backfill;
    else next.backfill = { ...s.backfill, paused: change === "pause" };
    return next;
  });
  return view(instance, d, state);
}

/** Every declared trigger matching a filter, for the bulk operations. */
export async function matchingTriggers(instance: Instance, filter: TriggerFilter): Promise<TriggerKey[]> {
  return (await listTriggers(instance, filter)).map((l) => ({
    namespace: l.triggerContext.namespace,
    flowId: l.triggerContext.flowId,
    triggerId: l.triggerContext.triggerId,
  }));
}

/**
 * The triggers of the API, async. Triggers are declared in flow sources, so a search lists the
 * declared ones of the matching flows and pages them in memory (a tenant has as many as its flows
 * declare, not a growing table).
 */
export class TriggersApi {
  constructor(private readonly instance: Instance) {}

  /** A page of the triggers `filter` selects, in the order of `sort` (`namespace`, `flowId` or `triggerId`, then `:asc` or `:desc`). */
  async search(
    filter: TriggerFilter,
    paging: { page?: number; size?: number; sort?: readonly TriggerSort[] } = {},
  ): Promise<Page<TriggerListing>> {
    const { limit, offset } = pageWindow(paging.page, paging.size);
    const found = await listTriggers(this.instance, filter);
    const sort = paging.sort ?? [];
    if (sort.length)
      found.sort((a, b) => {
        for (const { field, desc } of sort) {
          const order = String(a.triggerContext[field]).localeCompare(String(b.triggerContext[field]));
          if (order !== 0) return desc ? -order : order;
        }
        return 0;
      });
    return { results: found.slice(offset, offset + limit), total: found.length };
  }

  async list(filter: TriggerFilter = {}): Promise<TriggerListing[]> {
    return await listTriggers(this.instance, filter);
  }

  async get(key: TriggerKey): Promise<TriggerView> {
    return await getTrigger(this.instance, key);
  }

  async setDisabled(key: TriggerKey, disabled: boolean): Promise<TriggerView> {
    return await setTriggerDisabled(this.instance, key, disabled);
  }

  async unlock(key: TriggerKey): Promise<TriggerView> {
    return await unlockTrigger(this.instance, key);
  }

  async startBackfill(key: TriggerKey, request: BackfillRequest, now = new Date()): Promise<TriggerView> {
    return await startBackfill(this.instance, key, request, now);
  }

  async changeBackfill(key: TriggerKey, change: "pause" | "unpause" | "delete"): Promise<TriggerView> {
    return await changeBackfill(this.instance, key, change);
  }

  async matching(filter: TriggerFilter): Promise<TriggerKey[]> {
    return await matchingTriggers(this.instance, filter);
  }
}
