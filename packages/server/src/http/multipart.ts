/**
 * Reading a `multipart/form-data` body (execution inputs, resume inputs, namespace file uploads)
 * into fields and files held in memory, within the request size limit. A JSON object body is
 * accepted too, as fields, for clients that cannot send multipart.
 */
import type { FastifyRequest } from "fastify";
import { FileUpload } from "@saker/engine";
import { ApiError, badRequest } from "./errors.ts";
import { hasInvalidJson } from "./rawBody.ts";

export interface UploadedFile {
  field: string;
  fileName: string;
  bytes: Buffer;
}

export interface FormContent {
  /** Field values (text, or JSON values from a JSON body); a repeated field gives several. */
  fields: Map<string, unknown[]>;
  files: UploadedFile[];
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request is larger than the limit of ${limit} bytes (server.maxRequestSize)`,
  );
}

export async function readForm(request: FastifyRequest, limit: number): Promise<FormContent> {
  const content: FormContent = { fields: new Map(), files: [] };
  const add = (name: string, value: unknown) => content.fields.set(name, [...(content.fields.get(name) ?? []), value]);
  if (!request.isMultipart()) {
    if (hasInvalidJson(request)) throw badRequest("The body is not valid JSON", "body");
    const body = request.body;
    if (body === undefined || body === null || body === "") return content;
    if (typeof body !== "object" || Array.isArray(body))
      throw badRequest("Expected a multipart/form-data body (or a JSON object of inputs)");
    // a JSON object keeps its values' types; URL-encoded fields come as strings or lists of strings
    for (const [name, value] of Object.entries(body)) add(name, value);
    return content;
  }
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === "file") {
      const bytes = await part.toBuffer();
      total += bytes.length;
      if (total > limit) throw tooLarge(limit);
      content.files.push({ field: part.fieldname, fileName: part.filename || part.fieldname, bytes });
    } else {
      const value = typeof part.value === "string" ? part.value : String(part.value);
      total += Buffer.byteLength(value);
      if (total > limit) throw tooLarge(limit);
      add(part.fieldname, value);
    }
  }
  return content;
}

/** Inputs from a form: one value per field (a list when repeated), files as uploads. */
export function formInputs(form: FormContent): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, values] of form.fields) inputs[name] = values.length === 1 ? values[0] : values;
  for (const file of form.files) inputs[file.field] = new FileUpload(file.fileName, { bytes: file.bytes });
  return inputs;
}
