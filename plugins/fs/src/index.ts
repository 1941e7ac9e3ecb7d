/**
 * `@saker/plugin-fs`: Kestra's `io.kestra.plugin.fs.{sftp,ftp,ftps}.*`: upload, download, list,
 * delete and move files on SFTP, FTP and FTPS servers, and a trigger on new files.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { defineProtocolTypes } from "./types.ts";

const protocols = (["sftp", "ftp", "ftps"] as const).map(defineProtocolTypes);

export default definePlugin({
  group: "io.kestra.plugin.fs",
  title: "File systems",
  description: "Upload, download, list, delete and move files on SFTP, FTP and FTPS servers; trigger on new files.",
  tasks: protocols.flatMap((p) => p.tasks),
  triggers: protocols.flatMap((p) => p.triggers),
});
