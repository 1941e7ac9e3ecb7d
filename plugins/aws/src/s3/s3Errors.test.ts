import { expect, it } from "vitest";
import { s3Failure } from "./s3Errors.ts";

const noSuchBucket = (bucketName?: string) => ({
  name: "NoSuchBucket",
  message: "The specified bucket does not exist",
  $fault: "client",
  $metadata: { httpStatusCode: 404 },
  ...(bucketName ? { BucketName: bucketName } : {}),
});
const copy = { operation: "CopyObject", bucket: "data", key: "in/a.csv", to: { bucket: "archive", key: "done/a.csv" } };

it("a missing bucket is the one S3 names: for a copy, the source or the destination", () => {
  expect(s3Failure(noSuchBucket("archive"), copy).message).toBe(
    "CopyObject of 's3://data/in/a.csv' to 's3://archive/done/a.csv' failed: bucket 'archive' does not exist",
  );
  expect(s3Failure(noSuchBucket("data"), copy).message).toMatch(/failed: bucket 'data' does not exist$/);
  // S3 did not say which: a copy between two buckets names both.
  expect(s3Failure(noSuchBucket(), copy).message).toMatch(/failed: bucket 'data' or 'archive' does not exist$/);
  expect(s3Failure(noSuchBucket(), { ...copy, to: { bucket: "data", key: "b" } }).message).toMatch(
    /failed: bucket 'data' does not exist$/,
  );
  expect(s3Failure(noSuchBucket(), { operation: "ListObjectsV2", bucket: "nowhere" }).message).toBe(
    "ListObjectsV2 of bucket 'nowhere' failed: bucket 'nowhere' does not exist",
  );
});

it("a missing key of a copy is its source's", () => {
  const error = { name: "NoSuchKey", message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } };
  expect(s3Failure(error, copy).message).toBe(
    "CopyObject of 's3://data/in/a.csv' to 's3://archive/done/a.csv' failed: no object has key 'in/a.csv' in bucket 'data'",
  );
});
