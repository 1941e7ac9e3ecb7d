import { describe, expect, it } from "vitest";
import { lazyImport } from "./lazyImport.ts";

describe("lazyImport", () => {
  it("loads nothing until first called, then loads once", async () => {
    let loads = 0;
    const lib = lazyImport(async () => {
      loads++;
      return { value: 42 };
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([lib(), lib()]);
    expect(await lib()).toBe(a);
    expect(b).toBe(a);
    expect(a.value).toBe(42);
    expect(loads).toBe(1);
  });

  it("tries a failed load again on the next call", async () => {
    let loads = 0;
    const lib = lazyImport(async () => {
      if (++loads === 1) throw new Error("Cannot find package 'kafkajs'");
      return "loaded";
    });
    await expect(lib()).rejects.toThrow("Cannot find package 'kafkajs'");
    await expect(lib()).resolves.toBe("loaded");
    expect(loads).toBe(2);
  });

  it("loads a real module as import() does", async () => {
    const zlib = lazyImport(() => import("node:zlib"));
    const { gzipSync, gunzipSync } = await zlib();
    expect(gunzipSync(gzipSync("saker")).toString()).toBe("saker");
  });
});
