/** Charsets by their Java names (`UTF-8`, `ISO-8859-1`, `windows-1252`…), for reading and writing files. */
import { NonRetryableError } from "@saker/sdk";
import { TextDecoder } from "node:util";

/** A streaming decoder for `charset`; every charset of the WHATWG Encoding standard can be read. */
export function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset.trim());
  } catch {
    throw new NonRetryableError(`unknown charset '${charset}' (use a name such as UTF-8, ISO-8859-1 or windows-1252)`);
  }
}

const WRITABLE: Record<string, BufferEncoding> = {
  "utf-8": "utf8",
  utf8: "utf8",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "us-ascii": "ascii",
  ascii: "ascii",
  "utf-16le": "utf16le",
};

/** The Node encoding that writes `charset`: UTF-8, ISO-8859-1, US-ASCII and UTF-16LE can be written. */
export function encodingFor(charset: string): BufferEncoding {
  const encoding = WRITABLE[charset.trim().toLowerCase()];
  if (encoding) return encoding;
  decoderFor(charset); // an unknown name says so first
  throw new NonRetryableError(
    `charset '${charset}' can be read but not written; use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE`,
  );
}

/** Decodes a byte stream as text, chunk by chunk. */
export async function* decodeText(source: AsyncIterable<Buffer>, decoder: TextDecoder): AsyncGenerator<string> {
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Groups small text pieces into buffers of about 64 KiB in `encoding`, for fewer writes. */
export async function* encodeText(source: AsyncIterable<string>, encoding: BufferEncoding): AsyncGenerator<Buffer> {
  let pending = "";
  for await (const piece of source) {
    pending += piece;
    if (pending.length >= 65_536) {
      yield Buffer.from(pending, encoding);
      pending = "";
    }
  }
  if (pending) yield Buffer.from(pending, encoding);
}
