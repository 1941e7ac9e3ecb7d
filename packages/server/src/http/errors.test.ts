import { describe, expect, it } from "vitest";
import { SakerError, type SakerErrorCode } from "@saker/sdk";
import { asDiskFull, DiskFullError } from "@saker/engine/testing";
import { ApiError, toErrorResponse } from "./errors.ts";

describe("error responses", () => {
  it("gives FLOW_INVALID a 422 with the first issue's path and every issue", () => {
    const issues = [
      { path: "tasks[2].retry.maxAttempt", message: "expected number", line: 12, column: 9 },
      { path: "id", message: "is required", line: 1, column: 1 },
    ];
    const error = new SakerError("FLOW_INVALID", "Flow 'a/b' is invalid (2 problems)", {
      line: 12,
      details: { issues },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 422,
      body: {
        message: "Flow 'a/b' is invalid (2 problems)",
        code: "FLOW_INVALID",
        path: "tasks[2].retry.maxAttempt",
        details: { issues },
      },
    });
  });

  it("maps codes to statuses, and keeps the engine's status hint out of the body", () => {
    const notFound = toErrorResponse(
      new SakerError("EXECUTION_NOT_FOUND", "Execution 'x' not found", { details: { status: 404 } }),
    );
    expect(notFound).toEqual({
      status: 404,
      body: { message: "Execution 'x' not found", code: "EXECUTION_NOT_FOUND" },
    });
    expect(toErrorResponse(new SakerError("FLOW_DISABLED", "disabled", { details: { status: 422 } })).status).toBe(409);
    expect(toErrorResponse(new SakerError("INPUT_INVALID", "bad")).status).toBe(422);
    expect(toErrorResponse(new SakerError("SOMETHING_ELSE" as SakerErrorCode, "bad")).status).toBe(400);
    expect(toErrorResponse(new ApiError(401, "UNAUTHORIZED", "no")).body).toEqual({
      message: "no",
      code: "UNAUTHORIZED",
    });
  });

  it("answers a full disk with 507 DISK_FULL naming the data folder, not a bare 500", () => {
    const sqlite = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    const response = toErrorResponse(asDiskFull(sqlite, "/data/saker"));
    expect(response.status).toBe(507);
    expect(response.body.code).toBe("DISK_FULL");
    expect(response.body.message).toContain(
      "The disk is full: no space left in the data folder '/data/saker' (writing to the database)",
    );
    expect(response.internal).toBeUndefined();
    expect(toErrorResponse(new DiskFullError("/data/saker/storage", "writing 'kestra:///a.txt'")).status).toBe(507);
    const other = new Error("boom");
    expect(asDiskFull(other, "/data")).toBe(other);
  });

  it("never shows an unexpected error's message or stack", () => {
    const boom = new Error("secret internals at /srv/app.js:12");
    const response = toErrorResponse(boom);
    expect(response).toEqual({
      status: 500,
      body: { message: "Internal server error", code: "INTERNAL_ERROR" },
      internal: boom,
    });
    expect(JSON.stringify(response.body)).not.toContain("secret");
  });

  it("names fastify's own client errors", () => {
    expect(
      toErrorResponse(
        Object.assign(new Error("Request body is too large"), { statusCode: 413, code: "FST_ERR_CTP_BODY_TOO_LARGE" }),
      ),
    ).toEqual({
      status: 413,
      body: { message: "Request body is too large", code: "PAYLOAD_TOO_LARGE" },
    });
    expect(
      toErrorResponse(
        Object.assign(new Error("Unsupported Media Type"), { statusCode: 415, code: "FST_ERR_CTP_INVALID_MEDIA_TYPE" }),
      ).body.code,
    ).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});
