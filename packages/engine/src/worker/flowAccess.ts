/**
 * The SDK's `RunContext.flows`: the flows of the tenant for tasks that manage them (git
 * SyncFlows, PushFlows), validated and saved exactly as the API saves them.
 */
import type { FlowAccess, FlowSource } from "@saker/sdk";
import type { StoredFlow } from "../backend/records.ts";
import type { EngineFlows } from "../plugins/engineServices.ts";

const toSource = (f: StoredFlow): FlowSource => ({
  namespace: f.namespace,
  id: f.id,
  revision: f.revision,
  source: f.source,
});

/** `engineFlows`: the engine's flows, reached when a call is made (most tasks make none). */
export function flowAccess(engineFlows: () => EngineFlows): FlowAccess {
  return {
    async list(namespace, options = {}) {
      const all = await engineFlows().all(namespace);
      return (options.children ? all : all.filter((f) => f.namespace === namespace)).map(toSource);
    },
    // read as stored, not parsed: a flow that no longer validates can still be replaced or deleted
    async get(namespace, id) {
      const found = (await engineFlows().all(namespace)).find((f) => f.namespace === namespace && f.id === id);
      return found ? toSource(found) : undefined;
    },
    async validate(source, sourceName) {
      const flow = await engineFlows().validate(source, sourceName);
      return { namespace: flow.namespace, id: flow.id };
    },
    async put(source, sourceName) {
      const flows = engineFlows();
      const { stored, created } = await flows.save(source, await flows.validate(source, sourceName));
      return { flow: toSource(stored), changed: created };
    },
    delete: (namespace, id) => engineFlows().delete(namespace, id),
  };
}
