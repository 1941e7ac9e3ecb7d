import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { portOpen } from "./packages/engine/src/testing/services.ts";
import { LongestFirst } from "./test/longestFirst.ts";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/**
 * The suites that run a second time on PostgreSQL (`SAKER_TEST_BACKEND=postgres`): the same tests,
 * not a copy. Only `openTestInstance` (packages/engine/src/testing/testInstance.ts) reads that
 * variable, so a file's behaviour depends on the backend only when it opens a test instance, itself
 * or through the server's `startTestApi`, or asks `testBackend()`. The other files of the engine and
 * the server (parsers, expressions, the PostgreSQL store's own tests, which use PostgreSQL in both
 * projects…) would run twice for the same result: they run in the sqlite project only.
 */
export const POSTGRES_SUITES = backendDependentSuites(["packages/engine/src", "packages/server/src"]);

function backendDependentSuites(roots: string[]): string[] {
  const opensTestInstance = /\b(openTestInstance|startTestApi|testBackend)\b/;
  return roots
    .flatMap((root) =>
      readdirSync(join(ROOT, root), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => join(root, file)),
    )
    .filter((file) => opensTestInstance.test(readFileSync(join(ROOT, file), "utf8")))
    .sort();
}

const postgresUrl = new URL(process.env.SAKER_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

const withPostgres =
  process.env.CI === "true" || (await portOpen(postgresUrl.hostname, Number(postgresUrl.port || 5432)));
if (!withPostgres)
  console.warn(
    `PostgreSQL does not answer on ${postgresUrl.host}: the postgres project (the engine suite on PostgreSQL) is not run (not passed); with CI=true it runs and fails`,
  );

// Tests run the TypeScript sources directly through the "source" export condition,
// so no build is needed between an edit and a test run.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    // Against hangs only: many tests drive child processes (the CLI, servers, npm), which take
    // tens of seconds when the two cores are shared by three test files and their children.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // `expect.poll` waits for what a test is after (a page's rows, a state); its own default of
    // 1 s made it a speed bound, which failed a UI test on a loaded machine (CI with other work).
    expect: { poll: { timeout: 15_000 } },
    pool: "forks",
    // A worker keeps its modules from one file to the next instead of importing the engine again
    // for each (import time 521 → 102 s summed, the whole run 768 → 625 s). The two files that
    // mock a module (vi.doMock: s3StorageRetry, isolation/pool) unmock it after their tests, the
    // two that set process.env put it back, and each file opens its own instances and homes.
    isolate: false,
    // Vitest's default is one worker less than the cores: one worker on a 2-core machine. Most
    // files wait on services, child processes and timers rather than on the CPU, so three run
    // side by side here.
    maxWorkers: 3,
    // The longest files first, so that the run does not end with one of them alone.
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["packages/*/src/**/*.test.ts", "plugins/*/src/**/*.test.ts", "test/**/*.test.ts"],
        },
      },
      ...(withPostgres
        ? [
            {
              extends: true,
              test: { name: "postgres", include: POSTGRES_SUITES, env: { SAKER_TEST_BACKEND: "postgres" } },
            },
          ]
        : []),
    ],
  },
});
