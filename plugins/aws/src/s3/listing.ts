/**
 * Lists a bucket as Kestra's List does: ListObjectsV2 page after page up to `maxKeys` keys, then
 * the `regexp` (matching the whole key) and `filter` (a key ending with `/` is a directory), then
 * at most `maxFiles` objects.
 */
import type { ListObjectsV2CommandOutput, _Object } from "@aws-sdk/client-s3";
import { errorMessage, NonRetryableError, z } from "@saker/sdk";
import { RegexError, userRegex } from "@saker/sdk/regex";
import type { ListFilter } from "./properties.ts";
import type { S3Run } from "./s3Run.ts";

export const s3Object = z.object({
  key: z.string().describe("The object key."),
  etag: z.string().optional().describe("Its ETag."),
  size: z.number().optional().describe("Its size in bytes."),
  lastModified: z.string().optional().describe("When it was last modified (ISO-8601)."),
  owner: z.object({ id: z.string().optional(), displayName: z.string().optional() }).optional(),
  uri: z.string().optional().describe("Where it was downloaded to on internal storage (Downloads, Trigger)."),
});
export type S3Object = z.infer<typeof s3Object>;

/** The listing properties, rendered. */
export interface ListRequest {
  bucket: string;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  marker?: string | undefined;
  startAfter?: string | undefined;
  encodingType?: string | undefined;
  maxKeys: number;
  expectedBucketOwner?: string | undefined;
  requestPayer?: string | undefined;
  regexp?: string | undefined;
  filter: ListFilter;
  maxFiles?: number | undefined;
  recursive?: boolean | undefined;
}

const PAGE_SIZE = 1000;

function toObject(o: _Object): S3Object {
  return {
    key: o.Key ?? "",
    ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
    ...(o.Size !== undefined ? { size: o.Size } : {}),
    ...(o.LastModified ? { lastModified: o.LastModified.toISOString() } : {}),
    ...(o.Owner ? { owner: { id: o.Owner.ID, displayName: o.Owner.DisplayName } } : {}),
  };
}

/** `regexp` as Java's `matches` reads it, on RE2 (linear time, whatever the pattern and the key). */
export function keyMatcher(regexp: string | undefined): (key: string) => boolean {
  if (regexp === undefined) return () => true;
  let pattern: ReturnType<typeof userRegex>;
  try {
    pattern = userRegex(regexp, { dotAll: true });
  } catch (error) {
    throw new NonRetryableError(
      `regexp '${regexp}' is not a valid regular expression: ${error instanceof RegexError ? error.problem : errorMessage(error)}`,
      {
        path: "regexp",
        cause: error,
      },
    );
  }
  return (key) => pattern.matches(key);
}

function kept(filter: ListFilter, key: string): boolean {
  const directory = key.endsWith("/");
  return filter === "BOTH" || (filter === "DIRECTORY" ? directory : !directory);
}

async function listKeys(run: S3Run, request: ListRequest): Promise<_Object[]> {
  const delimiter = request.delimiter ?? (request.recursive === false ? "/" : undefined);
  const found: _Object[] = [];
  let token: string | undefined;
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  do {
    const page: ListObjectsV2CommandOutput = await run.call(
      { operation: "ListObjectsV2", bucket: request.bucket },
      (o) =>
        run.client.send(
          new ListObjectsV2Command({
            Bucket: request.bucket,
            MaxKeys: Math.min(request.maxKeys - found.length, PAGE_SIZE),
            Prefix: request.prefix,
            Delimiter: delimiter,
            StartAfter: token ? undefined : (request.startAfter ?? request.marker),
            ContinuationToken: token,
            EncodingType: request.encodingType as "url" | undefined,
            ExpectedBucketOwner: request.expectedBucketOwner,
            RequestPayer: request.requestPayer as "requester" | undefined,
          }),
          o,
        ),
    );
    found.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && found.length < request.maxKeys);
  return found.slice(0, request.maxKeys);
}

/** The objects `request` selects. */
export async function listObjects(run: S3Run, request: ListRequest): Promise<S3Object[]> {
  const matches = keyMatcher(request.regexp);
  const objects = (await listKeys(run, request))
    .map(toObject)
    .filter((o) => matches(o.key) && kept(request.filter, o.key));
  if (request.maxFiles !== undefined && objects.length > request.maxFiles) {
    run.logger.warn(
      "The listing of bucket '{}' found {} objects but maxFiles is {}: only the first {} are kept; raise maxFiles to get more.",
      request.bucket,
      objects.length,
      request.maxFiles,
      request.maxFiles,
    );
    return objects.slice(0, request.maxFiles);
  }
  return objects;
}
