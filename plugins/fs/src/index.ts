/**
 * `@saker/plugin-fs`: Kestra's `io.kestra.plugin.fs.{sftp,ftp,ftps}.*`: upload, download, list,
 * delete and move files on SFTP, FTP and FTPS servers, and a trigger on new files; and
 * `io.kestra.plugin.fs.ssh.Command`: run commands on a remote host over SSH.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { SshCommand } from "./ssh/command.ts";
import { defineProtocolTypes } from "./types.ts";

const protocols = (["sftp", "ftp", "ftps"] as const).map(defineProtocolTypes);

export default definePlugin({
  group: "io.kestra.plugin.fs",
  title: "File systems",
  description:
    "Upload, download, list, delete and move files on SFTP, FTP and FTPS servers; trigger on new files; run commands over SSH.",
  tasks: [...protocols.flatMap((p) => p.tasks), SshCommand],
  triggers: protocols.flatMap((p) => p.triggers),
});
