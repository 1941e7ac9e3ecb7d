import { defineConfig } from "vitest/config";

// Tests run the TypeScript sources directly through the "source" export condition,
// so no build is needed between an edit and a test run.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "plugins/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: one worker on a 2-core machine. Most
    // files wait on services, child processes and timers rather than on the CPU, so three run
    // side by side here.
    maxWorkers: 3,
  },
});
