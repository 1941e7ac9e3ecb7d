/**
 * Splits a byte stream into text lines without holding more than one line in memory; a line
 * longer than `maxLength` is cut into pieces, so a script printing one huge line cannot exhaust
 * the worker's memory and nothing it printed is dropped.
 *
 * @module
 */
import { StringDecoder } from "node:string_decoder";

const MAX_LINE_LENGTH = 1 << 20;

export interface LineSplitter {
  write(chunk: Buffer): void;
  end(): void;
}

export function splitLines(onLine: (line: string) => void, maxLength = MAX_LINE_LENGTH): LineSplitter {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (raw: string) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    for (let at = 0; at < line.length || at === 0; at += maxLength) onLine(line.slice(at, at + maxLength));
  };
  const feed = (text: string) => {
    pending += text;
    let start = 0;
    for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n", start)) {
      emit(pending.slice(start, nl));
      start = nl + 1;
    }
    pending = pending.slice(start);
    while (pending.length >= maxLength) {
      onLine(pending.slice(0, maxLength));
      pending = pending.slice(maxLength);
    }
  };
  return {
    write: (chunk) => feed(decoder.write(chunk)),
    end() {
      feed(decoder.end());
      if (pending) emit(pending);
      pending = "";
    },
  };
}
