/**
 * OpenPGP messages as streams: a stored file opened as a message (ASCII-armored or binary, told
 * apart by its first bytes, as gpg does), and OpenPGP.js's web streams written to a file.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import type { Message } from "openpgp";
import { openpgp } from "./openpgp.ts";
import { invalid } from "./keys.ts";

/** Bytes read before deciding whether a file is armored: enough for the armor line after a blank prefix. */
const PEEK = 256;

/** The longest library reason a message quotes (they are short; this only bounds a surprise). */
const MAX_REASON = 160;

/** OpenPGP.js's reason for a failure, without its "Error decrypting message: " prefix. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const reason = text.replace(/^(Error [a-z ]+: )+/i, "").trim() || "unknown error";
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason;
}

async function* prefixed(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** The first bytes of a stream, and the whole stream again (those bytes included). */
async function peek(source: Readable): Promise<{ head: Buffer; whole: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < PEEK) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(Buffer.from(next.value));
    size += next.value.length;
  }
  const head = Buffer.concat(chunks);
  return { head, whole: Readable.from(prefixed(head, iterator)) };
}

/**
 * Opens a stored file as an OpenPGP message, reading it lazily. A file that is neither armored
 * (`-----BEGIN PGP MESSAGE-----`) nor binary OpenPGP fails here, naming `from`.
 */
export async function openMessage(source: Readable): Promise<Message<NodeWebStream<Uint8Array>>> {
  const { head, whole } = await peek(source);
  if (head.length === 0) throw invalid("from", "an empty file, not an OpenPGP message");
  const text = head
    .toString("latin1")
    .replace(/^\uFEFF/, "")
    .trimStart();
  const armored = text.startsWith("-----BEGIN PGP ");
  // A binary OpenPGP packet starts with a tag byte whose high bit is set (RFC 9580, 4.2).
  if (!armored && (head[0]! & 0x80) === 0) {
    whole.destroy();
    throw invalid(
      "from",
      "not an OpenPGP message: neither ASCII-armored ('-----BEGIN PGP MESSAGE-----') nor binary OpenPGP",
    );
  }
  const web = Readable.toWeb(whole) as NodeWebStream<Uint8Array>;
  const { readMessage } = await openpgp();
  try {
    if (!armored) return await readMessage({ binaryMessage: web });
    const decoded = web.pipeThrough(new TextDecoderStream()) as NodeWebStream<string>;
    return (await readMessage({ armoredMessage: decoded })) as unknown as Message<NodeWebStream<Uint8Array>>;
  } catch (error) {
    whole.destroy();
    throw invalid("from", `not a readable OpenPGP message: ${reasonOf(error)}`);
  }
}

/** Writes one of OpenPGP.js's output streams to a file. */
export async function writeStream(
  data: NodeWebStream<Uint8Array> | NodeWebStream<string>,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  await pipeline(Readable.fromWeb(data as NodeWebStream<Uint8Array>), createWriteStream(file), { signal });
}
