/**
 * `@saker/plugin-fs`: File systems.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";

export default definePlugin({
  group: "io.kestra.plugin.fs",
  title: "File systems",
  description:
    "Saker plugin: SFTP and FTP upload, download, list, delete, move and trigger (Kestra's io.kestra.plugin.fs.{sftp,ftp}.*)",
  tasks: [],
  triggers: [],
});
