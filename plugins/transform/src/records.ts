/**
 * Reading and writing the record files of internal storage, streamed: the records of an Ion or
 * JSON file (one per line as Kestra writes them, or a pretty-printed document over many lines)
 * and an Ion file written record by record.
 */
import type { Readable } from "node:stream";
import { isSakerError, type RunContext } from "@saker/sdk";
import { chunkedLines, storeStream } from "@saker/sdk/storeStream";
import { IonAnnotated, IonDecimal, IonReadError, IonTimestamp, readIonLines } from "@saker/sdk/ion";
import { badProperty, checkStorageUri, unreadableFile } from "./errors.ts";

/**
 * An Ion value as JSON-like data, what a JSONata expression works on (Kestra reads Ion into
 * Jackson's JSON tree): decimals become numbers, timestamps their text, annotations are dropped,
 * bytes become base64, integers past 2^53 lose their precision.
 */
export function jsonOf(value: unknown): unknown {
  if (value === null || typeof value !== "object") return typeof value === "bigint" ? Number(value) : value;
  if (value instanceof IonDecimal) return Number(value.text.replace(/[dD]/, "e"));
  if (value instanceof IonTimestamp) return value.text;
  if (value instanceof IonAnnotated) return jsonOf(value.value);
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map(jsonOf);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonOf(item)]));
}

/** Opens the stored file of `property`, naming the property when it cannot be read. */
export async function openStored(ctx: RunContext, property: string, uri: string): Promise<Readable> {
  checkStorageUri(property, uri);
  try {
    return await ctx.storage.getFile(uri);
  } catch (error) {
    throw unreadableFile(property, error);
  }
}

/**
 * The records of the Ion (or JSON) file `uri` as JSON-like data, read as the file streams. A
 * record that is neither fails with its line number.
 */
export async function* ionRecords(ctx: RunContext, property: string, uri: string): AsyncGenerator<unknown> {
  const stream = await openStored(ctx, property, uri);
  try {
    for await (const value of readIonLines(stream, { tagged: true, acrossLines: true })) yield jsonOf(value);
  } catch (error) {
    if (error instanceof IonReadError)
      throw badProperty(property, `is not an Ion or JSON file ('${uri}'): ${error.message}`);
    throw isSakerError(error) ? error : unreadableFile(property, error);
  } finally {
    stream.destroy();
  }
}

/**
 * Stores the Ion lines `produce` yields as `name` and returns the URI. Storage keeps no partial
 * file when producing fails, and the task fails with the producer's error.
 */
export function storeLines(ctx: RunContext, name: string, produce: AsyncIterable<string>): Promise<string> {
  return storeStream(ctx, name, chunkedLines(produce));
}
