/**
 * The body text of a message as Kestra's `MailService.extractTextContent` builds it: a
 * single-part message gives its text; a multipart one the concatenation, in document order and
 * with nothing between them, of the text of its parts, nested multiparts included. So a
 * multipart/alternative message gives its plain text followed by its HTML source.
 *
 * Unlike Kestra, attachments (a part whose Content-Disposition is not `inline`) and parts that are
 * not text/plain or text/html add nothing: Kestra appends a text attachment's content, and for a
 * binary part the name of a Java stream object.
 *
 * This module only finds the parts; decoding one (transfer encoding, charset) is the caller's.
 *
 * @module
 */

/** Deeper multiparts than this are not looked into. */
const MAX_DEPTH = 32;

/** Splits an entity (latin1, so bytes survive) into its header block and body. */
function splitEntity(entity: string): { headers: string; body: string } {
  const blank = /\r?\n\r?\n/.exec(entity);
  if (/^\r?\n/.test(entity)) return { headers: "", body: entity.replace(/^\r?\n/, "") };
  if (!blank) return { headers: entity, body: "" };
  return { headers: entity.slice(0, blank.index), body: entity.slice(blank.index + blank[0].length) };
}

/** The unfolded value of the first header `name`. */
function header(headers: string, name: string): string | undefined {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** The value of parameter `name` of a structured header (`boundary="abc"`). */
function parameter(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, "i").exec(value);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
}

function mediaType(value: string | undefined, fallback: string): string {
  const type = value?.split(";")[0]?.trim().toLowerCase();
  return type && type.includes("/") ? type : fallback;
}

/** The parts of a multipart body; the line break before each delimiter belongs to the delimiter. */
function multipartParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      const rest = line.slice(delimiter.length);
      if (/^--[ \t]*$/.test(rest)) break;
      if (/^[ \t]*$/.test(rest)) {
        if (current) parts.push(current.join("\r\n"));
        current = [];
        continue;
      }
    }
    current?.push(line);
  }
  if (current) parts.push(current.join("\r\n"));
  return parts;
}

/** Collects the text leaves of `entity`, in document order. */
function textLeaves(entity: string, defaultType: string, depth: number, found: string[]): void {
  const { headers, body } = splitEntity(entity);
  const contentType = header(headers, "content-type");
  const type = mediaType(contentType, defaultType);
  if (type.startsWith("multipart/")) {
    const boundary = contentType && parameter(contentType, "boundary");
    if (!boundary || depth >= MAX_DEPTH) return;
    const childType = type === "multipart/digest" ? "message/rfc822" : "text/plain";
    for (const part of multipartParts(body, boundary)) textLeaves(part, childType, depth + 1, found);
    return;
  }
  if (type !== "text/plain" && type !== "text/html") return;
  const disposition = header(headers, "content-disposition");
  if (disposition && !/^inline\b/i.test(disposition)) return;
  found.push(entity);
}

/**
 * The body text of `source` (a whole message): the text of each text/plain and text/html part
 * that is not an attachment, decoded by `decode` (which gets the part, its headers included), in
 * document order and joined with nothing between.
 */
export async function bodyText(source: Buffer, decode: (part: Buffer) => Promise<string>): Promise<string> {
  const leaves: string[] = [];
  textLeaves(source.toString("latin1"), "text/plain", 0, leaves);
  let body = "";
  for (const leaf of leaves) body += await decode(Buffer.from(leaf, "latin1"));
  return body;
}
