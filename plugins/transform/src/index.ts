/**
 * `@saker/plugin-transform`: Kestra's `io.kestra.plugin.transform.*` tasks. JSONata
 * (`jsonata.TransformValue`, `jsonata.TransformItems`, on the `jsonata` package) reshapes JSON
 * values and the records of Ion files; grok (`grok.TransformValue`, `grok.TransformItems`, on
 * JavaScript regular expressions and a standard pattern library of its own) parses text such as
 * log lines into named fields. Files stream from storage to storage.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import * as grok from "./grok/tasks.ts";
import * as jsonata from "./jsonata.ts";

export default definePlugin({
  group: "io.kestra.plugin.transform",
  title: "Transform",
  description:
    "Transform JSON values and Ion records with JSONata expressions, and parse text and log lines into fields with grok patterns.",
  tasks: [jsonata.TransformValue, jsonata.TransformItems, grok.TransformValue, grok.TransformItems],
});
