/**
 * The closed error vocabulary: every `SakerErrorCode` has exactly one HTTP status in the server's
 * table (also checked at compile time by `Record<SakerErrorCode, number>`), and docs/rest-api.md
 * lists every code with that status.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SakerError, type SakerErrorCode } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { codesOfUnion, renderedDoc, statusesOfServer } from "../../../../scripts/error-codes.mjs";
import { STATUS_BY_CODE, toErrorResponse } from "./errors.ts";

const union = codesOfUnion().map((c) => c.code);

describe("error codes", () => {
  it("has a status for every code of the union, and no other", () => {
    expect(union.length).toBeGreaterThan(40);
    expect(Object.keys(STATUS_BY_CODE).sort()).toEqual([...union].sort());
    expect(new Set(union).size).toBe(union.length);
  });

  it("answers each code with its status from the table, a 4xx or 5xx", () => {
    for (const code of union as SakerErrorCode[]) {
      const status = STATUS_BY_CODE[code];
      expect(status >= 400 && status < 600, `${code} → ${status}`).toBe(true);
      const response = toErrorResponse(new SakerError(code, "boom"));
      expect(response.status, code).toBe(status);
      expect(response.body).toEqual({ message: "boom", code });
    }
  });

  it("ignores a status hint in details, and gives a foreign code a 404 or 400 by its suffix", () => {
    const hinted = new SakerError("FLOW_NOT_FOUND", "gone", { details: { status: 500, id: "x" } });
    expect(toErrorResponse(hinted)).toEqual({
      status: 404,
      body: { message: "gone", code: "FLOW_NOT_FOUND", details: { id: "x" } },
    });
    expect(toErrorResponse(new SakerError("WIDGET_NOT_FOUND" as SakerErrorCode, "no")).status).toBe(404);
    expect(toErrorResponse(new SakerError("WIDGET_BROKEN" as SakerErrorCode, "no")).status).toBe(400);
  });

  it("documents every code with its status in docs/rest-api.md", () => {
    const docPath = fileURLToPath(new URL("../../../../docs/rest-api.md", import.meta.url));
    const doc = readFileSync(docPath, "utf8");
    expect(renderedDoc(doc), "run node scripts/error-codes.mjs").toBe(doc);
    const statuses = statusesOfServer();
    for (const { code, meaning } of codesOfUnion()) {
      expect(meaning, code).not.toBe("");
      expect(doc).toContain(`| \`${code}\` | ${statuses.get(code)} | ${meaning}`);
    }
  });

  it("refuses a union member without a doc comment", () => {
    expect(() => codesOfUnion('export type SakerErrorCode =\n  /** ok */\n  | "A_B"\n  | "C_D";')).toThrow(
      "codes without a doc comment: C_D",
    );
  });
});
