/**
 * Triggers as the API shows and changes them: every trigger declared by a flow joined with its
 * persisted state (Kestra's `Trigger` JSON), enabling and disabling, unlocking, and backfills of
 * Schedule triggers.
 */
import { SakerError } from "@saker/sdk";
import type { Backfill, TriggerKey, TriggerState } from "../backend/sqlite/triggerStore.ts";
import type { Instance } from "../runtime/instance.ts";
import { pageWindow, type Page } from "../backend/sqlite/searchSql.ts";
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

/** Every declared trigger (disabled ones too) of a namespace prefix / flow, with its state. */
export function listTriggers(
  instance: Instance,
  filter: { namespace?: string; flowId?: string; q?: string } = {},
): TriggerListing[] {
  const tenantId = instance.config.tenantId;
  const { q, ...scope } = filter;
  return declaredTriggers(instance, { ...scope, includeDisabled: true })
    .filter(({ flow, trigger }) => !q || [flow.id, flow.namespace, trigger.id].some((s) => s.includes(q)))
    .map((declared) => ({
      triggerContext: view(instance, declared, instance.triggers.get(tenantId, triggerKey(declared))),
      abstractTrigger: { ...declared.trigger },
    }));
}

function declared(instance: Instance, key: TriggerKey): DeclaredTrigger {
  const found = findTrigger(instance, key.namespace, key.flowId, key.triggerId);
  if (!found)
    throw new SakerError(
      "TRIGGER_NOT_FOUND",
      `Trigger '${key.triggerId}' of flow '${key.namespace}/${key.flowId}' not found`,
    );
  return found;
}

export function getTrigger(instance: Instance, key: TriggerKey): TriggerView {
  const d = declared(instance, key);
  return view(instance, d, instance.triggers.get(instance.config.tenantId, key));
}

export function setTriggerDisabled(instance: Instance, key: TriggerKey, disabled: boolean): TriggerView {
  const d = declared(instance, key);
  return view(instance, d, instance.triggers.setDisabled(instance.config.tenantId, key, disabled));
}

/** Forgets when a polling trigger last ran so it is evaluated at the next tick (Kestra's unlock/restart). */
export function unlockTrigger(instance: Instance, key: TriggerKey): TriggerView {
  const d = declared(instance, key);
  const state = instance.triggers.update(instance.config.tenantId, key, (current) => {
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
export function startBackfill(
  instance: Instance,
  key: TriggerKey,
  request: BackfillRequest,
  now = new Date(),
): TriggerView {
  const d = declared(instance, key);
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
  const current = instance.triggers.get(instance.config.tenantId, key);
  if (current?.backfill)
    throw new SakerError(
      "BACKFILL_RUNNING",
      `Trigger '${key.triggerId}' already has a backfill running; delete it first`,
    );
  // Without an end the backfill stops at the time it was asked for, not at a moving "now": the
  // dates after it are the regular schedule's own.
  const backfill: Backfill = {
    start: start.toISOString(),
    end: (end ?? now).toISOString(),
    currentDate: start.toISOString(),
    paused: request.paused === true,
    ...(request.inputs ? { inputs: request.inputs } : {}),
    ...(request.labels ? { labels: request.labels } : {}),
    ...(current?.nextDate ? { previousNextExecutionDate: current.nextDate } : {}),
  };
  return view(
    instance,
    d,
    instance.triggers.update(instance.config.tenantId, key, (s) => ({ ...s, backfill })),
  );
}

export function changeBackfill(
  instance: Instance,
  key: TriggerKey,
  change: "pause" | "unpause" | "delete",
): TriggerView {
  const d = declared(instance, key);
  const current = instance.triggers.get(instance.config.tenantId, key);
  if (!current?.backfill) throw new SakerError("BACKFILL_NOT_FOUND", `Trigger '${key.triggerId}' has no backfill`);
  const state = instance.triggers.update(instance.config.tenantId, key, (s) => {
    const next = { ...s };
    if (change === "delete") delete next.backfill;
    else next.backfill = { ...s.backfill!, paused: change === "pause" };
    return next;
  });
  return view(instance, d, state);
}

/** Every declared trigger matching a filter, for the bulk operations. */
export function matchingTriggers(instance: Instance, filter: { namespace?: string; flowId?: string }): TriggerKey[] {
  return listTriggers(instance, filter).map((l) => ({
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

  async search(
    filter: { namespace?: string; flowId?: string; q?: string },
    paging: { page?: number; size?: number } = {},
  ): Promise<Page<TriggerListing>> {
    const { limit, offset } = pageWindow(paging.page, paging.size);
    const found = await Promise.resolve(listTriggers(this.instance, filter));
    return { results: found.slice(offset, offset + limit), total: found.length };
  }

  async list(filter: { namespace?: string; flowId?: string; q?: string } = {}): Promise<TriggerListing[]> {
    return await Promise.resolve(listTriggers(this.instance, filter));
  }

  async get(key: TriggerKey): Promise<TriggerView> {
    return await Promise.resolve(getTrigger(this.instance, key));
  }

  async setDisabled(key: TriggerKey, disabled: boolean): Promise<TriggerView> {
    return await Promise.resolve(setTriggerDisabled(this.instance, key, disabled));
  }

  async unlock(key: TriggerKey): Promise<TriggerView> {
    return await Promise.resolve(unlockTrigger(this.instance, key));
  }

  async startBackfill(key: TriggerKey, request: BackfillRequest, now = new Date()): Promise<TriggerView> {
    return await Promise.resolve(startBackfill(this.instance, key, request, now));
  }

  async changeBackfill(key: TriggerKey, change: "pause" | "unpause" | "delete"): Promise<TriggerView> {
    return await Promise.resolve(changeBackfill(this.instance, key, change));
  }

  async matching(filter: { namespace?: string; flowId?: string }): Promise<TriggerKey[]> {
    return await Promise.resolve(matchingTriggers(this.instance, filter));
  }
}
