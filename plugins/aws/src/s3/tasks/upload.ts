/** Upload: one or many stored files to a bucket, streamed in parts. */
import { NonRetryableError, defineTask, z, type RunContext } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { bucket, expectedBucketOwner, requestPayer } from "../properties.ts";
import { withS3, type S3Run } from "../s3Run.ts";
import { uploadFile, type UploadChecksum, type UploadParams } from "../transfers.ts";
import { CHECKSUM_ALGORITHMS, s3Algorithm } from "../checksums.ts";
import { indent } from "../examples.ts";
import { joinKey, uploadSources } from "../uploadSources.ts";

const text = (description: string) => z.string().optional().describe(description);

const uploadOptions = {
  metadata: z.record(z.string(), z.string()).optional().describe("Metadata stored with the object."),
  cacheControl: text("The Cache-Control header."),
  contentType: text("The Content-Type header."),
  contentEncoding: text("The Content-Encoding header."),
  contentDisposition: text("The Content-Disposition header."),
  contentLanguage: text("The Content-Language header."),
  contentLength: z.number().int().optional().describe("Accepted for compatibility: the stored file's size is used."),
  expires: text("When the object may no longer be cached (ISO-8601)."),
  acl: text("A canned ACL, e.g. `private`, `public-read`."),
  storageClass: text("The storage class, e.g. STANDARD, STANDARD_IA, GLACIER."),
  serverSideEncryption: text("Server-side encryption: AES256, aws:kms or aws:kms:dsse."),
  bucketKeyEnabled: z.boolean().optional().describe("Use an S3 Bucket Key with SSE-KMS."),
  objectLockMode: text("Object Lock mode: GOVERNANCE or COMPLIANCE."),
  objectLockLegalHoldStatus: text("Object Lock legal hold: ON or OFF."),
  objectLockRetainUntilDate: text("Object Lock retention end (ISO-8601)."),
  tagging: z.record(z.string(), z.string()).optional().describe("Tags of the object."),
  checksumAlgorithm: z
    .enum(CHECKSUM_ALGORITHMS)
    .optional()
    .describe("The checksum S3 checks the upload against and stores: CRC32, CRC32C (or CRC32_C), SHA1 or SHA256."),
  checksum: text(
    "The file's expected checksum (Base64, as S3 has it) for `checksumAlgorithm`: a file with another one is not uploaded.",
  ),
  concurrentUploads: z
    .number()
    .int()
    .positive()
    .default(50)
    .describe("How many files of a multi-file upload are sent at once."),
  expectedBucketOwner,
  requestPayer,
};

type UploadOptions = { [K in keyof typeof uploadOptions]?: z.output<(typeof uploadOptions)[K]> };

function paramsOf(p: UploadOptions): UploadParams {
  const params: Record<string, unknown> = {
    Metadata: p.metadata,
    CacheControl: p.cacheControl,
    ContentType: p.contentType,
    ContentEncoding: p.contentEncoding,
    ContentDisposition: p.contentDisposition,
    ContentLanguage: p.contentLanguage,
    Expires: p.expires ? new Date(p.expires) : undefined,
    ACL: p.acl,
    StorageClass: p.storageClass,
    ServerSideEncryption: p.serverSideEncryption,
    BucketKeyEnabled: p.bucketKeyEnabled,
    ObjectLockMode: p.objectLockMode,
    ObjectLockLegalHoldStatus: p.objectLockLegalHoldStatus,
    ObjectLockRetainUntilDate: p.objectLockRetainUntilDate ? new Date(p.objectLockRetainUntilDate) : undefined,
    Tagging: p.tagging ? new URLSearchParams(Object.entries(p.tagging)).toString() : undefined,
    ExpectedBucketOwner: p.expectedBucketOwner,
    RequestPayer: p.requestPayer,
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as UploadParams;
}

/** `checksumAlgorithm` and `checksum`, checked before anything is sent. */
function checksumOf(p: UploadOptions, fileCount: number): UploadChecksum | undefined {
  if (p.checksum !== undefined && p.checksumAlgorithm === undefined)
    throw new NonRetryableError(
      "checksum needs checksumAlgorithm (CRC32, CRC32C, SHA1 or SHA256), the algorithm it is of",
    );
  if (p.checksum !== undefined && fileCount > 1)
    throw new NonRetryableError("checksum is the checksum of one file: it cannot be given for several");
  if (p.checksumAlgorithm === undefined) return undefined;
  return { algorithm: s3Algorithm(p.checksumAlgorithm), expected: p.checksum };
}

const fileInfo = z.object({
  eTag: z.string().optional(),
  versionId: z.string().optional(),
  contentLength: z.number().optional(),
});

async function uploadAll(
  run: S3Run,
  ctx: RunContext,
  files: Array<[string, string]>,
  target: { bucket: string; key: string },
  params: UploadParams,
  concurrency: number,
  checksum: UploadChecksum | undefined,
) {
  const infos: Record<string, z.infer<typeof fileInfo>> = {};
  for (let start = 0; start < files.length; start += concurrency) {
    const window = files.slice(start, start + concurrency);
    await Promise.all(
      window.map(async ([name, uri]) => {
        const key = joinKey(target.key, name);
        ctx.logger.debug("Uploading to '{}'", key);
        const sent = await uploadFile(run, uri, target.bucket, key, params, checksum);
        ctx.metric({ name: "file.count", type: "counter", value: 1 });
        ctx.metric({ name: "file.size", type: "counter", value: sent.size });
        infos[name] = { eTag: sent.eTag, versionId: sent.versionId, contentLength: sent.size };
      }),
    );
  }
  return infos;
}

export function uploadTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.Upload`,
    title: `Upload files to ${flavor.service}`,
    description:
      "Uploads one stored file to `key`, or several (a list or a map of name → URI) under `key` as a prefix. Files are streamed in 8 MiB parts (multipart upload past one part).",
    examples: [
      {
        title: "Upload a FILE input",
        full: true,
        code: `id: s3_upload\nnamespace: company.team\ninputs:\n  - id: file\n    type: FILE\ntasks:\n  - id: upload\n    type: ${flavor.prefix}.Upload\n${indent(flavor.exampleConnection, 4)}\n    bucket: my-bucket\n    from: "{{ inputs.file }}"\n    key: path/to/file.csv`,
      },
    ],
    properties: z.object({
      ...flavor.connection,
      bucket,
      from: z
        .union([z.string(), z.array(z.string()), z.record(z.string(), z.string())])
        .describe("A `kestra://` URI, a list of URIs, a map of name → URI, or a JSON text of a list or map."),
      key: z.string().min(1).describe("The object key; with several files, the prefix they are uploaded under."),
      ...uploadOptions,
    }),
    outputs: z.object({
      bucket: z.string(),
      key: z.string(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      files: z.record(z.string(), fileInfo).optional().describe("Name → upload info, with several files."),
    }),
    async run(props, ctx) {
      const files = uploadSources(props.from);
      const params = paramsOf(props);
      const checksum = checksumOf(props, files.length);
      return withS3(flavor, props, ctx, async (run) => {
        if (files.length > 1) {
          const infos = await uploadAll(run, ctx, files, props, params, props.concurrentUploads, checksum);
          return { bucket: props.bucket, key: props.key, files: infos };
        }
        const [, uri] = files[0]!;
        ctx.logger.debug("Uploading to '{}'", props.key);
        const sent = await uploadFile(run, uri, props.bucket, props.key, params, checksum);
        ctx.metric({ name: "file.count", type: "counter", value: 1 });
        ctx.metric({ name: "file.size", type: "counter", value: sent.size });
        return { bucket: props.bucket, key: props.key, eTag: sent.eTag, versionId: sent.versionId };
      });
    },
  });
}
