/**
 * The AWS SDK's packages, loaded by the first task run or trigger evaluation that talks to S3 or
 * STS: registering the plugin costs its definitions only.
 */
import { lazyImport } from "@saker/sdk";

export const s3Library = lazyImport(() => import("@aws-sdk/client-s3"));
export const stsLibrary = lazyImport(() => import("@aws-sdk/client-sts"));
export const uploadLibrary = lazyImport(() => import("@aws-sdk/lib-storage"));
