/**
 * `@saker/plugin-git`: clone and push git repositories over HTTP(S) or SSH, and keep flows and
 * namespace files in sync with them (Kestra's `io.kestra.plugin.git.*`), with isomorphic-git
 * (and ssh2 for SSH): no git binary needed.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { Clone } from "./clone.ts";
import { Push } from "./push.ts";
import { PushFlows } from "./pushFlows.ts";
import { PushNamespaceFiles } from "./pushNamespaceFiles.ts";
import { SyncFlows } from "./syncFlows.ts";
import { SyncNamespaceFiles } from "./syncNamespaceFiles.ts";

export default definePlugin({
  group: "io.kestra.plugin.git",
  title: "Git",
  description:
    "Saker plugin: clone and push git repositories, and sync flows and namespace files with them (Kestra's io.kestra.plugin.git.*)",
  tasks: [Clone, Push, PushFlows, PushNamespaceFiles, SyncFlows, SyncNamespaceFiles],
  triggers: [],
});
