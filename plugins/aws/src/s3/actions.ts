/**
 * What Downloads and the Trigger do with the objects they processed: MOVE copies each object to
 * `moveTo.key/<its file name>` in `moveTo.bucket` (by default the same bucket) and deletes it; DELETE deletes it; NONE leaves it.
 */
import { NonRetryableError } from "@saker/sdk";
import type { S3Object } from "./listing.ts";
import type { Action } from "./properties.ts";
import type { S3Run } from "./s3Run.ts";
import { baseName, copyObject, deleteObject } from "./transfers.ts";

export interface ActionRequest {
  action: Action;
  bucket: string;
  moveTo?: { bucket?: string | undefined; key: string } | undefined;
}

/** Refuses MOVE without `moveTo` before anything is read. */
export function checkAction(request: ActionRequest): void {
  if (request.action === "MOVE" && !request.moveTo)
    throw new NonRetryableError("action MOVE needs moveTo (a key, and a bucket unless the same)", { path: "moveTo" });
}

export function movedKey(moveTo: { key: string }, key: string): string {
  const folder = moveTo.key.replace(/\/+$/, "");
  return folder ? `${folder}/${baseName(key)}` : baseName(key);
}

/** Applies the action to one object. */
export async function applyAction(run: S3Run, request: ActionRequest, object: S3Object): Promise<void> {
  if (request.action === "NONE") return;
  if (request.action === "MOVE") {
    const moveTo = request.moveTo!;
    await copyObject(run, {
      from: { bucket: request.bucket, key: object.key },
      to: { bucket: moveTo.bucket ?? request.bucket, key: movedKey(moveTo, object.key) },
    });
  }
  await deleteObject(run, request.bucket, object.key);
}

/** Applies the action to every object, in order; the first failure stops and is thrown. */
export async function applyActions(run: S3Run, request: ActionRequest, objects: readonly S3Object[]): Promise<void> {
  for (const object of objects) await applyAction(run, request, object);
}
