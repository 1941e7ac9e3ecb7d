/**
 * Every S3 type of one flavor: `io.kestra.plugin.aws.s3.*` here, `io.kestra.plugin.minio.*` in
 * `@saker/plugin-minio`, from the same code.
 */
import type { AnyTaskDefinition, AnyTriggerDefinition } from "@saker/sdk";
import type { S3Flavor } from "./flavor.ts";
import { copyTask } from "./tasks/copy.ts";
import { createBucketTask } from "./tasks/createBucket.ts";
import { deleteTask } from "./tasks/delete.ts";
import { deleteListTask } from "./tasks/deleteList.ts";
import { downloadTask } from "./tasks/download.ts";
import { downloadsTask } from "./tasks/downloads.ts";
import { listTask } from "./tasks/list.ts";
import { uploadTask } from "./tasks/upload.ts";
import { s3Trigger } from "./trigger.ts";

export interface S3Types {
  tasks: AnyTaskDefinition[];
  triggers: AnyTriggerDefinition[];
}

export function defineS3Types(flavor: S3Flavor): S3Types {
  const tasks = [
    uploadTask(flavor),
    downloadTask(flavor),
    downloadsTask(flavor),
    listTask(flavor),
    deleteTask(flavor),
    deleteListTask(flavor),
    copyTask(flavor),
    createBucketTask(flavor),
  ];
  return {
    tasks: tasks as unknown as AnyTaskDefinition[],
    triggers: [s3Trigger(flavor) as unknown as AnyTriggerDefinition],
  };
}
