/**
 * The polling Trigger: every `interval`, lists the bucket, downloads what it selects into internal
 * storage and starts one execution with `trigger.objects`; then moves or deletes those objects so
 * that each starts exactly one execution. The versions of the objects that started an execution
 * are kept in the namespace's KV store (`stateKey`), so with `action: NONE` an object left in place
 * starts another execution only once it has changed (`on`).
 *
 * A failed download fails the evaluation before anything is moved: the objects are seen again. A
 * failed move or delete after the downloads is logged and the execution still starts, so an object
 * is never lost; the one whose action failed may start a second execution later.
 */
import { defineTrigger, duration, errorMessage, z, type TriggerContext } from "@saker/sdk";
import { applyAction, checkAction, type ActionRequest } from "./actions.ts";
import type { S3Flavor } from "./flavor.ts";
import { listObjects, s3Object, type ListRequest } from "./listing.ts";
import { actionProperties, listProperties } from "./properties.ts";
import { withS3, type RunSource } from "./s3Run.ts";
import { downloadListed } from "./tasks/downloads.ts";
import { indent } from "./examples.ts";
import { loadTriggerState, stateProperties } from "./triggerState.ts";

function sourceOf(ctx: TriggerContext): RunSource {
  return { flow: ctx.flow, task: ctx.trigger, signal: ctx.signal, storage: ctx.storage, logger: ctx.logger };
}

function example(flavor: S3Flavor): string {
  return `id: s3_listen
namespace: company.team
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ trigger.objects | jq('.[].uri') }}"
    tasks:
      - id: return
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
triggers:
  - id: watch
    type: ${flavor.prefix}.Trigger
    interval: PT5M
${indent(flavor.exampleConnection, 4)}
    bucket: my-bucket
    prefix: sub-dir
    action: MOVE
    moveTo:
      bucket: my-bucket
      key: archive`;
}

export function s3Trigger(flavor: S3Flavor) {
  return defineTrigger({
    type: `${flavor.prefix}.Trigger`,
    title: `Start an execution for new objects in a ${flavor.service} bucket`,
    description:
      "Every `interval`, lists the bucket as List does, downloads the files into internal storage and starts one execution with them in `trigger.objects` (each with its `uri`), then applies `action`: MOVE to `moveTo` or DELETE, so each object starts one execution. The trigger remembers the version of every object it handled (in the KV store, under `stateKey`, for `stateTtl`): with NONE an object left in place starts another execution only when it changes, as `on` says.",
    triggerKind: "polling",
    examples: [{ title: "Process then archive new files", full: true, code: example(flavor) }],
    properties: z.object({
      ...flavor.connection,
      ...listProperties(flavor),
      ...actionProperties(flavor.kind === "aws"),
      ...stateProperties,
      interval: duration().prefault("PT1M").describe("Time between two evaluations."),
    }),
    outputs: z.object({
      objects: z
        .array(s3Object.extend({ changeType: z.enum(["CREATE", "UPDATE"]) }))
        .describe("The objects that started the execution, each with its `uri` on internal storage."),
    }),
    async evaluate(props, ctx) {
      const action: ActionRequest = { action: props.action, bucket: props.bucket, moveTo: props.moveTo };
      checkAction(action);
      return withS3(flavor, props, sourceOf(ctx), async (run) => {
        const state = await loadTriggerState(
          ctx.kv(),
          props.stateKey ?? `${ctx.flow.id}_${ctx.trigger.id}_state`,
          props.on,
          props.stateTtl,
        );
        const selected = state.select(await listObjects(run, props as unknown as ListRequest));
        const changes = new Map(selected.map((o) => [o.key, o.changeType]));
        const objects = await downloadListed(run, props.bucket, selected);
        if (objects.length === 0) return undefined;
        for (const object of objects) {
          try {
            await applyAction(run, action, object);
          } catch (error) {
            ctx.logger.error(
              "{} of '{}' failed, it may start another execution: {}",
              action.action,
              object.key,
              errorMessage(error),
            );
          }
        }
        await state.save(selected);
        return { variables: { objects: objects.map((o) => ({ ...o, changeType: changes.get(o.key) ?? "CREATE" })) } };
      });
    },
  });
}
