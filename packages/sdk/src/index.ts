/**
 * `@saker/sdk`: the only package a Saker plugin depends on.
 *
 * ```ts
 * import { defineTask, definePlugin, z } from "@saker/sdk";
 *
 * export const Hello = defineTask({
 *   type: "com.example.Hello",
 *   title: "Say hello",
 *   properties: z.object({ name: z.string().describe("Who to greet.") }),
 *   outputs: z.object({ greeting: z.string() }),
 *   run: ({ name }, ctx) => { ctx.logger.info("Hello {}", name); return { greeting: `Hello ${name}` }; },
 * });
 * export default definePlugin({ tasks: [Hello] });
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./duration.ts";
export * from "./schema.ts";
export * from "./state.ts";
export * from "./runContext.ts";
export * from "./define.ts";
export * from "./notificationSummary.ts";
export * from "./outbound.ts";
