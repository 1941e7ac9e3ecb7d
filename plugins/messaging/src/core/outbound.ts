/**
 * The instance's outbound-address policy (`http.refusedAddresses`) applied to a broker's host
 * before connecting: a host that is, or resolves to, a refused address (by default the
 * link-local range where clouds serve credentials) fails the task or trigger, naming `property`.
 */
import { resolveOutbound, type RunContext, type TriggerContext } from "@saker/sdk";

/** What connecting to a broker needs from a task's or a trigger's context. */
export type BrokerContext = Pick<RunContext | TriggerContext, "flow" | "signal"> & {
  readonly task?: RunContext["task"];
  readonly trigger?: TriggerContext["trigger"];
  readonly refusedAddresses?: readonly string[] | undefined;
};

/** Resolves `host` and throws when the policy refuses any of its addresses. */
export async function checkBrokerHost(ctx: BrokerContext, host: string, property: string): Promise<void> {
  if (!host) return;
  const task = ctx.task ?? { id: ctx.trigger?.id ?? "trigger", type: ctx.trigger?.type ?? "" };
  const policyCtx = {
    flow: ctx.flow,
    task,
    ...(ctx.refusedAddresses ? { refusedAddresses: ctx.refusedAddresses } : {}),
  } as Pick<RunContext, "flow" | "task" | "refusedAddresses">;
  await resolveOutbound(policyCtx, host, property);
}

/** The host of a `scheme://[user@]host[:port][/…]` URL (brackets of an IPv6 address removed). */
export function hostOf(url: string): string {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]*)/i.exec(url.trim());
  return (match?.[1] ?? "").replace(/^\[|\]$/g, "");
}
