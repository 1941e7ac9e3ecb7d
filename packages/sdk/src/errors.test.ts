import { describe, expect, it } from "vitest";
import { NonRetryableError, SakerError, TaskError, errorMessage, isSakerError } from "./errors.ts";

describe("SakerError", () => {
  it("prefixes the message with the flow, task and YAML path", () => {
    const e = new SakerError("PROPERTY_INVALID", "must be ≥ 1", {
      flow: "company.team/hello",
      taskId: "t1",
      path: "tasks[2].retry.maxAttempt",
      line: 14,
    });
    expect(e.message).toBe("Flow 'company.team/hello', task 't1', tasks[2].retry.maxAttempt (line 14): must be ≥ 1");
    expect(e.code).toBe("PROPERTY_INVALID");
    expect(e.reason).toBe("must be ≥ 1");
  });

  it("recognises errors by marker, not by prototype, so copies of the SDK agree", () => {
    const e = new TaskError("boom");
    const foreign = Object.assign(Object.create(null), e);
    Object.defineProperty(foreign, Symbol.for("saker.error.kinds"), { value: ["TaskError", "SakerError"] });
    expect(foreign instanceof TaskError).toBe(true);
    expect(isSakerError(foreign)).toBe(true);
    expect(e instanceof SakerError).toBe(true);
    expect(e instanceof NonRetryableError).toBe(false);
    expect(new Error("x") instanceof SakerError).toBe(false);
    expect(e.name).toBe("TaskError");
  });

  it("takes only the codes of the closed list", () => {
    // @ts-expect-error an unknown code does not compile
    const unknown = new SakerError("NOT_A_CODE", "bad");
    expect(unknown.code).toBe("NOT_A_CODE");
    expect(new SakerError("FLOW_NOT_FOUND", "gone").code).toBe("FLOW_NOT_FOUND");
  });

  it("adds location without losing what was known", () => {
    const e = new SakerError("PROPERTY_INVALID", "bad", { path: "tasks[0]" }).withLocation({
      flow: "a/b",
      path: "ignored",
    });
    expect(e.message).toBe("Flow 'a/b', tasks[0]: bad");
    expect(e instanceof SakerError).toBe(true);
  });
});

describe("errorMessage", () => {
  it("gives an Error's message, a string, a thrown plain object's message, else its JSON", () => {
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage({ code: "S0201", position: 3, message: "Syntax error" })).toBe("Syntax error");
    expect(errorMessage({ code: "X", message: "" })).toBe('{"code":"X","message":""}');
    expect(errorMessage(42)).toBe("42");
  });
});
