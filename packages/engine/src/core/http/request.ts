/** `http.Request` and `http.Download`. */
import { Readable } from "node:stream";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { tempName } from "../storage/common.ts";
import { isPlainFileName } from "../../storage/paths.ts";
import { allowsFailure, DEFAULT_MAX_CONTENT_LENGTH, exchange, httpProperties, readText } from "./client.ts";

const Headers = z.record(z.string(), z.array(z.string()));

export const Request = defineTask({
  type: "io.kestra.plugin.core.http.Request",
  aliases: ["io.kestra.plugin.fs.http.Request"],
  title: "Send an HTTP request",
  description:
    "Calls `uri` and returns the status code, headers and body (as text, at most `options.maxContentLength` bytes). A status of 400 or more fails the task unless `allowFailed` (or `options.allowFailed`) is true, or `options.allowedResponseCodes` lists it.",
  examples: [
    {
      title: "POST JSON",
      code: 'id: post\ntype: io.kestra.plugin.core.http.Request\nuri: https://example.com/api\nmethod: POST\ncontentType: application/json\nbody: \'{"name": "{{ inputs.name }}"}\'',
    },
  ],
  properties: z.object({
    ...httpProperties,
    encryptBody: z.boolean().default(false).describe("Accepted for compatibility; the body is returned as `body`."),
  }),
  outputs: z.object({ uri: z.string(), code: z.number(), headers: Headers, body: z.string().nullable() }),
  async run(props, ctx) {
    return exchange(ctx, props, async (response) => {
      const limit = props.options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
      const body = props.method === "HEAD" ? "" : await readText(response.body, limit);
      ctx.logger.debug("Request '{}' with the response code '{}'", props.uri, response.code);
      const length = response.headers["content-length"]?.[0];
      if (length !== undefined)
        ctx.metric({
          name: "response.length",
          type: "counter",
          value: Number(length),
          tags: { "request.method": props.method, "response.code": String(response.code) },
        });
      return { uri: props.uri, code: response.code, headers: response.headers, body: body === "" ? null : body };
    });
  },
});

/** The file name a Content-Disposition header gives, without any folder. */
export function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  for (const part of header.split(";").map((p) => p.trim())) {
    if (part.startsWith("filename*")) {
      const value = part.slice(part.indexOf("=") + 1).replace(/^"|"$/g, "");
      const encoded = value.slice(value.lastIndexOf("'") + 1);
      try {
        name = decodeURIComponent(encoded);
      } catch {
        name = encoded;
      }
    } else if (part.startsWith("filename") && name === undefined)
      name = part.slice(part.indexOf("=") + 1).replace(/^"|"$/g, "");
  }
  const base = name?.split(/[\\/]/).pop();
  return base ? base : undefined;
}

/** The extension of the URI's last path segment (from its first dot, as Kestra takes it). */
function extensionFromUri(uri: string): string {
  const segment = new URL(uri).pathname.split("/").pop() ?? "";
  const dot = segment.indexOf(".");
  return dot >= 0 ? segment.slice(dot) : "";
}

export const Download = defineTask({
  type: "io.kestra.plugin.core.http.Download",
  aliases: ["io.kestra.plugin.fs.http.Download"],
  title: "Download a file over HTTP",
  description:
    "Streams the response of `uri` into internal storage, named `saveAs`, else after its Content-Disposition header or the URI's extension. A status of 400 or more fails the task unless allowed; an empty response fails it unless `failOnEmptyResponse` is false.",
  examples: [
    {
      title: "Download a CSV",
      code: "id: download\ntype: io.kestra.plugin.core.http.Download\nuri: https://example.com/data.csv",
    },
  ],
  properties: z.object({
    ...httpProperties,
    failOnEmptyResponse: z.boolean().default(true).describe("Fail when the response has no body."),
    saveAs: z
      .string()
      .optional()
      .describe(
        "The name of the stored file (the end of the `uri` output), such as `orders.csv`: a file name, not a path.",
      ),
  }),
  outputs: z.object({ uri: z.string(), code: z.number(), length: z.number(), headers: Headers }),
  async run(props, ctx) {
    if (props.saveAs !== undefined && !isPlainFileName(props.saveAs)) {
      throw new NonRetryableError(
        `saveAs must be a file name, without '/' or '\\' and other than '.' or '..', got '${props.saveAs}'`,
      );
    }
    return exchange(ctx, props, async (response) => {
      let length = 0;
      const counted = async function* () {
        for await (const chunk of response.body) {
          length += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      };
      const name =
        filenameFromDisposition(response.headers["content-disposition"]?.[0]) ?? tempName(extensionFromUri(props.uri));
      const uri =
        props.saveAs === undefined
          ? await ctx.storage.putFile(Readable.from(counted()), name)
          : await ctx.storage.putFile(Readable.from(counted()), props.saveAs, { exactName: true });
      const expected = response.headers["content-length"]?.[0];
      if (expected !== undefined && props.method !== "HEAD" && Number(expected) !== length) {
        await ctx.storage.delete(uri);
        throw new NonRetryableError(`Invalid size, got ${length}, expected ${expected}`);
      }
      ctx.metric({ name: "response.length", type: "counter", value: length, tags: { "request.method": props.method } });
      if (length === 0) {
        if (props.failOnEmptyResponse && !allowsFailure(props))
          throw new NonRetryableError(`No response from server: '${props.uri}' returned an empty body`);
        ctx.logger.warn("File '{}' is empty", props.uri);
      }
      ctx.logger.debug("File '{}' downloaded to '{}'", props.uri, uri);
      return { uri, code: response.code, length, headers: response.headers };
    });
  },
});
