/**
 * Kestra's old type names (before 0.17 moved the core plugin to `io.kestra.plugin.core`), mapped
 * to the current ones so that old flows run unchanged.
 */

const SPECIAL: Record<string, string> = {
  "io.kestra.core.tasks.flows.Flow": "io.kestra.plugin.core.flow.Subflow",
  "io.kestra.core.tasks.flows.Worker": "io.kestra.plugin.core.flow.WorkingDirectory",
  "io.kestra.plugin.core.flow.Flow": "io.kestra.plugin.core.flow.Subflow",
  "io.kestra.core.models.triggers.types.Schedule": "io.kestra.plugin.core.trigger.Schedule",
  "io.kestra.core.models.triggers.types.Webhook": "io.kestra.plugin.core.trigger.Webhook",
  "io.kestra.core.models.triggers.types.Flow": "io.kestra.plugin.core.trigger.Flow",
  "io.kestra.core.models.conditions.types.VariableCondition": "io.kestra.plugin.core.condition.Expression",
  "io.kestra.plugin.core.condition.ExpressionCondition": "io.kestra.plugin.core.condition.Expression",
  "io.kestra.plugin.fs.http.Request": "io.kestra.plugin.core.http.Request",
  "io.kestra.plugin.fs.http.Download": "io.kestra.plugin.core.http.Download",
  "io.kestra.plugin.fs.http.Trigger": "io.kestra.plugin.core.http.Trigger",
};

const PACKAGES: Record<string, string> = {
  debugs: "debug",
  flows: "flow",
  executions: "execution",
  log: "log",
  states: "state",
  storages: "storage",
  templating: "templating",
  trigger: "trigger",
  kv: "kv",
  outputs: "output",
  namespace: "namespace",
};

/** The current type id for an old one; other ids come back unchanged. */
export function canonicalAlias(type: string): string {
  const special = SPECIAL[type];
  if (special) return special;
  const old = /^io\.kestra\.core\.tasks\.([a-z]+)\.([A-Za-z0-9]+)$/.exec(type);
  if (old && PACKAGES[old[1]!]) return `io.kestra.plugin.core.${PACKAGES[old[1]!]}.${old[2]}`;
  const condition = /^io\.kestra\.core\.models\.conditions\.types\.([A-Za-z0-9]+?)(Condition)?$/.exec(type);
  if (condition) return `io.kestra.plugin.core.condition.${condition[1]}`;
  return type;
}
