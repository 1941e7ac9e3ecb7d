/** `metric.Publish`: publishes counters and timers for the task run. */
import { defineTask, duration, formatDuration, z } from "@saker/sdk";

const tags = z.record(z.string(), z.string()).optional().describe("Tags of the metric.");

const counter = z.object({
  type: z.literal("counter"),
  name: z.string().min(1).describe("The metric's name."),
  value: z.number().describe("The increment."),
  tags,
});

const timer = z.object({
  type: z.literal("timer"),
  name: z.string().min(1).describe("The metric's name."),
  value: duration().describe("The duration (ISO-8601, e.g. PT1.5S)."),
  tags,
});

export const Publish = defineTask({
  type: "io.kestra.plugin.core.metric.Publish",
  title: "Publish metrics",
  description:
    "Publishes each of `metrics` (`counter` with a number, `timer` with a duration) on the task run, and returns them as the `metrics` output.",
  examples: [
    {
      title: "A counter and a timer",
      code: "id: publish\ntype: io.kestra.plugin.core.metric.Publish\nmetrics:\n  - type: counter\n    name: rows\n    value: 42\n    tags:\n      table: users\n  - type: timer\n    name: load\n    value: PT1.5S",
    },
  ],
  properties: z.object({
    metrics: z
      .array(z.discriminatedUnion("type", [counter, timer]))
      .default([])
      .describe("The metrics to publish."),
  }),
  outputs: z.object({
    metrics: z
      .array(
        z.object({
          name: z.string(),
          type: z.string(),
          value: z.union([z.number(), z.string()]),
          tags: z.record(z.string(), z.string()),
        }),
      )
      .describe("The published metrics; a timer's value as an ISO-8601 duration."),
  }),
  run({ metrics }, ctx) {
    const published = metrics.map((m) => {
      ctx.metric({ name: m.name, type: m.type, value: m.value, ...(m.tags ? { tags: m.tags } : {}) });
      return {
        name: m.name,
        type: m.type,
        value: m.type === "timer" ? formatDuration(m.value) : m.value,
        tags: m.tags ?? {},
      };
    });
    return { metrics: published };
  },
});
