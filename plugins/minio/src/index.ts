/**
 * `@saker/plugin-minio`: Kestra's MinIO tasks and trigger (`io.kestra.plugin.minio.*`). The types
 * are `@saker/plugin-aws`'s S3 types with MinIO's connection properties.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { defineS3Types } from "@saker/plugin-aws";
import { minioFlavor } from "./minioConnection.ts";

const s3 = defineS3Types(minioFlavor);

export default definePlugin({
  group: "io.kestra.plugin.minio",
  title: "MinIO",
  description:
    "MinIO and S3-compatible object storage: upload, download, list, copy, delete, create buckets, and a polling trigger.",
  tasks: s3.tasks,
  triggers: s3.triggers,
});
