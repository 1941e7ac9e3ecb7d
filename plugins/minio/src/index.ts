/**
 * `@saker/plugin-minio`: MinIO.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";

export default definePlugin({
  group: "io.kestra.plugin.minio",
  title: "MinIO",
  description:
    "Saker plugin: MinIO and S3-compatible object storage tasks and trigger (Kestra's io.kestra.plugin.minio.*)",
  tasks: [],
  triggers: [],
});
