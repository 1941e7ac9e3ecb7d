/**
 * Records written as XML the way Kestra's IonToXml (Jackson's XmlMapper, indented) lays them out:
 * one `<item>` per record under the root element, a field per element, an array as the element
 * repeated, null as an empty element. Written record by record, with our own escaping.
 */
import { NonRetryableError } from "@saker/sdk";

const ASCII_NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*$/;
const NAME = /^[\p{L}_:][\p{L}\p{N}\p{M}_.:\u00B7-]*$/u;
const validNames = new Set<string>();

/** Whether `name` can be an XML element name. */
export function isXmlName(name: string): boolean {
  if (validNames.has(name)) return true;
  const ok = ASCII_NAME.test(name) || NAME.test(name);
  if (ok && validNames.size < 10_000) validNames.add(name);
  return ok;
}

// Characters XML 1.0 cannot carry at all.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Writes records as XML text; `maxChar` is the highest code point the charset holds (others become `&#x…;`). */
export class XmlRecordWriter {
  private readonly special: RegExp;
  record = 0;

  constructor(maxChar: number) {
    const above = maxChar >= 0x10ffff ? "" : maxChar === 0xff ? "\\u0100-\\uFFFF" : "\\u0080-\\uFFFF";
    this.special = new RegExp(`[&<>\\r\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF${above}]`);
  }

  private escape(text: string, field: string): string {
    if (!this.special.test(text)) return text;
    if (FORBIDDEN.test(text)) {
      throw new NonRetryableError(
        `record ${this.record}: field '${field}' holds a control character that XML 1.0 cannot carry`,
      );
    }
    let out = "";
    for (const ch of text) {
      if (ch === "&") out += "&amp;";
      else if (ch === "<") out += "&lt;";
      else if (ch === ">") out += "&gt;";
      else if (ch === "\r") out += "&#13;";
      else if (this.special.test(ch)) out += `&#x${ch.codePointAt(0)!.toString(16).toUpperCase()};`;
      else out += ch;
    }
    return out;
  }

  private name(name: string): string {
    if (!isXmlName(name)) {
      throw new NonRetryableError(`record ${this.record}: field '${name}' cannot be an XML element name`);
    }
    return name;
  }

  private scalar(value: unknown, field: string): string {
    if (typeof value === "string") return this.escape(value, field);
    if (Buffer.isBuffer(value)) return value.toString("base64");
    return this.escape(String(value), field);
  }

  /** One element `name` holding `value`, indented by `pad`. */
  element(name: string, value: unknown, pad: string): string {
    const tag = this.name(name);
    if (value === null || value === undefined) return `${pad}<${tag}/>\n`;
    if (Array.isArray(value)) {
      let out = "";
      for (const item of value) {
        if (Array.isArray(item)) {
          let inner = "";
          for (const x of item) inner += this.element("item", x, `${pad}  `);
          out += inner === "" ? `${pad}<${tag}/>\n` : `${pad}<${tag}>\n${inner}${pad}</${tag}>\n`;
        } else out += this.element(name, item, pad);
      }
      return out;
    }
    if (typeof value === "object" && !Buffer.isBuffer(value)) {
      let inner = "";
      const deeper = `${pad}  `;
      for (const key in value as Record<string, unknown>) {
        inner += this.element(key, (value as Record<string, unknown>)[key], deeper);
      }
      return inner === "" ? `${pad}<${tag}/>\n` : `${pad}<${tag}>\n${inner}${pad}</${tag}>\n`;
    }
    return `${pad}<${tag}>${this.scalar(value, name)}</${tag}>\n`;
  }

  /** A record as an `<item>` element. */
  item(value: unknown): string {
    this.record++;
    if (Array.isArray(value)) {
      let inner = "";
      for (const x of value) inner += this.element("item", x, "    ");
      return inner === "" ? "  <item/>\n" : `  <item>\n${inner}  </item>\n`;
    }
    return this.element("item", value, "  ");
  }
}
