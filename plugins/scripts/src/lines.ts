/**
 * Splits a byte stream into text lines without holding more than one line in memory; a line
 * longer than `maxLength` is cut into pieces, so a script printing one huge line cannot exhaust
 * the worker's memory and nothing it printed is dropped.
 *
 * @module
 */
import { StringDecoder } from "node:string_decoder";

export const MAX_LINE_LENGTH = 1 << 20;

export interface LineSplitter {
  write(chunk: Buffer): void;
  end(): void;
}

export function splitLines(onLine: (line: string) => void, maxLength = MAX_LINE_LENGTH): LineSplitter {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (line: string) => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
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
