/**
 * `@saker/plugin-aws`: Kestra's Amazon S3 tasks and trigger (`io.kestra.plugin.aws.s3.*`), over
 * the AWS SDK for JavaScript v3. The same code serves `@saker/plugin-minio` through the named
 * export {@link defineS3Types}, given another {@link S3Flavor}.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { awsFlavor, defineS3Types } from "./s3/index.ts";

export {
  awsFlavor,
  defineS3Types,
  staticCredentials,
  type S3Flavor,
  type S3Settings,
  type S3Types,
} from "./s3/index.ts";

const s3 = defineS3Types(awsFlavor);

export default definePlugin({
  group: "io.kestra.plugin.aws",
  title: "AWS",
  description:
    "Amazon S3 and S3-compatible object storage: upload, download, list, copy, delete, create buckets, and a polling trigger.",
  tasks: s3.tasks,
  triggers: s3.triggers,
});
