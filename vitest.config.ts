import { connect } from "node:net";
import { defineConfig } from "vitest/config";

/** The suites that run a second time on PostgreSQL (`SAKER_TEST_BACKEND=postgres`): the same tests, not a copy. */
export const POSTGRES_SUITES = ["packages/engine/src/**/*.test.ts", "packages/server/src/**/*.test.ts"];

const postgresUrl = new URL(process.env.SAKER_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

/** Whether the test PostgreSQL server accepts connections (without it, and without CI=true, its project is left out). */
function postgresAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: postgresUrl.hostname, port: Number(postgresUrl.port || 5432) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const withPostgres = process.env.CI === "true" || (await postgresAnswers());
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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: one worker on a 2-core machine. Most
    // files wait on services, child processes and timers rather than on the CPU, so three run
    // side by side here.
    maxWorkers: 3,
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
