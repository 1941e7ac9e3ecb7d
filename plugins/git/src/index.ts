/**
 * `@saker/plugin-git`: Git.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";

export default definePlugin({
  group: "io.kestra.plugin.git",
  title: "Git",
  description:
    "Saker plugin: clone and push git repositories, and sync flows and namespace files with them (Kestra's io.kestra.plugin.git.*)",
  tasks: [],
  triggers: [],
});
