/** Kestra's randomPort(): a TCP port free on this machine when the expression is rendered. */
import { createServer } from "node:net";
import type { FunctionDef } from "../registry.ts";
import { fn } from "./core.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const portFunctions: Record<string, FunctionDef> = {
  // One port per render: a second randomPort() in the same render gives the same port.
  randomPort: fn((_args, ctx) => ctx.resolve("randomPort", freePort)),
};
