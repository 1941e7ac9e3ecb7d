/**
 * `@saker/plugin-aws`: AWS.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";

export default definePlugin({
  group: "io.kestra.plugin.aws",
  title: "AWS",
  description:
    "Saker plugin: Amazon S3 and S3-compatible object storage tasks and trigger (Kestra's io.kestra.plugin.aws.s3.*)",
  tasks: [],
  triggers: [],
});
