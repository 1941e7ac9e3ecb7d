/**
 * JSON parsed with its objects' key order kept where a JavaScript object would lose it: keys
 * named like numbers (`"2023"`) come first in an object, whatever the text's order, while Kestra
 * (Jackson's ordered maps) keeps the text's. Such objects carry their order as `FIELD_ORDER`
 * (`@saker/sdk/ion`), which `toIon` writes.
 */
import { keepFieldOrder } from "@saker/sdk/ion";
import { JavaDouble } from "./values.ts";

/** A key made of digits only: the cheap test that decides whether the order needs keeping. */
const DIGIT_KEY = /"\d+"\s*:/;

/** `JSON.parse(text)`, objects keyed by numbers keeping the text's key order. Throws JSON.parse's errors. */
export function parseJsonInOrder(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!DIGIT_KEY.test(text)) return value;
  try {
    return new OrderedJsonReader(text).read();
  } catch (error) {
    // nested past the stack's depth: the values without the order
    if (error instanceof RangeError) return value;
    throw error;
  }
}

/** A number JavaScript reads otherwise than Jackson: a double written as an integer (`1.0`, `1e3`) or more than 15 digits. */
const INEXACT_NUMBER = /\d\.0*(?![0-9])|\d[eE]|\d{16}/;

/**
 * {@link parseJsonInOrder} with the numbers Jackson reads: an integer past 2^53 is a bigint, a
 * double that looks like an integer (`1.0`, `1e3`) a {@link JavaDouble}, so that writers can give
 * them back as Kestra does.
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!DIGIT_KEY.test(text) && !INEXACT_NUMBER.test(text)) return value;
  try {
    return new OrderedJsonReader(text, true).read();
  } catch (error) {
    if (error instanceof RangeError) return value;
    throw error;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A reader of text JSON.parse accepted already: no syntax checks of its own. */
class OrderedJsonReader {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly exactNumbers = false,
  ) {}

  read(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "t") return this.word("true", true);
    if (c === "f") return this.word("false", false);
    if (c === "n") return this.word("null", null);
    NUMBER.lastIndex = this.i;
    const number = NUMBER.exec(this.s)![0];
    this.i += number.length;
    return this.exactNumbers ? exactNumber(number) : Number(number);
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    const names: string[] = [];
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      this.i++; // ':'
      names.push(key);
      const item = this.read();
      // as JSON.parse sets it: a "__proto__" key is an own property, not the prototype
      Object.defineProperty(out, key, { value: item, writable: true, enumerable: true, configurable: true });
      this.ws();
      if (this.s[this.i++] === "}") return keepFieldOrder(out, names);
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.read());
      this.ws();
      if (this.s[this.i++] === "]") return out;
    }
  }

  private string(): string {
    const start = this.i;
    let escaped = false;
    for (this.i++; ; this.i++) {
      const c = this.s.charCodeAt(this.i);
      if (c === 92) {
        this.i++; // the escaped character
        escaped = true;
      } else if (c === 34) break;
    }
    this.i++;
    const token = this.s.slice(start, this.i);
    return escaped ? (JSON.parse(token) as string) : token.slice(1, -1);
  }

  private word<T>(text: string, value: T): T {
    this.i += text.length;
    return value;
  }

  private ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else return;
    }
  }
}

/** A JSON number as Jackson reads it: see {@link parseJsonExact}. */
function exactNumber(text: string): number | bigint | JavaDouble {
  if (/[.eE]/.test(text)) {
    const value = Number(text);
    return Number.isInteger(value) || !Number.isFinite(value) ? new JavaDouble(value) : value;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}
