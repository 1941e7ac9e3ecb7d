// Lint rules: the ones the code already follows. Formatting is Prettier's job (.prettierrc.json).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * HTTP statuses belong to the server (packages/server/src/http/errors.ts maps error codes to them);
 * an engine or plugin error says what went wrong with its code, never which status to answer.
 */
const NO_STATUS_IN_DETAILS = {
  selector: "Property[key.name='details'] > ObjectExpression > Property[key.name='status']",
  message:
    "No HTTP status in an error's details: the server maps SakerErrorCode to a status (packages/server/src/http/errors.ts).",
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "test/fixtures/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { ...globals.node } },
    rules: {
      // Control characters are matched on purpose (sanitising paths and messages, Java's trim).
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["packages/engine/**/*.ts", "packages/sdk/**/*.ts", "plugins/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", NO_STATUS_IN_DETAILS],
    },
  },
  {
    // The files an execution's steps run through. An object literal spreading an optional object
    // (`...(x ? { x } : {})`) is many times slower in V8 than setting the key after the literal,
    // and gives objects of one kind many maps: these files set optional keys after the literal. (The
    // rule's options replace the block above's for these files, so they list its selector too.)
    files: [
      "packages/engine/src/executor/{transition,executorRun,events,lifecycle,taskSteps,sequencing,queries,variables}.ts",
      "packages/engine/src/runtime/{executorService,workerService,executionFactory,handoff}.ts",
      "packages/engine/src/runtime/executor/{commitPipeline,stepDeps}.ts",
      "packages/engine/src/worker/{runJob,runContext,taskLogger}.ts",
      "packages/engine/src/backend/sqlite/{executionStore,sqliteBackend,sqliteQueue,logStore}.ts",
      "packages/engine/src/model/taskRunIndex.ts",
    ],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        NO_STATUS_IN_DETAILS,
        {
          selector: "ObjectExpression > SpreadElement > :matches(ConditionalExpression, LogicalExpression)",
          message:
            "On the hot path, set an optional key after the literal (`if (x) o.x = x`) instead of spreading an optional object: V8 takes a slow path for the spread.",
        },
      ],
    },
  },
  {
    // SQLite is one backend behind the Backend seam: outside backend/, only the composition root
    // (runtime/instance.ts, which opens it) imports from backend/sqlite/. Shared records, search,
    // statistics and log code lives in backend/ (records.ts, search.ts, stats.ts, metrics.ts…).
    files: ["packages/engine/src/**/*.ts"],
    ignores: [
      "**/*.test.ts",
      "packages/engine/src/backend/**",
      "packages/engine/src/testing/**",
      "packages/engine/src/runtime/instance.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/backend/sqlite/*"],
              message:
                "Reach the database through the Backend (backend/backend.ts); shared records and search code are in backend/, not backend/sqlite/.",
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is reached through its index (`@saker/engine`, whose `createEngineApi` is what the
    // server and the CLI act through); tests may also import `@saker/engine/testing`.
    files: ["packages/server/**/*.ts", "packages/cli/**/*.ts", "plugins/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@saker/engine/*", "!@saker/engine/testing"],
              message: "Import from '@saker/engine' (tests: '@saker/engine/testing'), not from the engine's files.",
            },
          ],
        },
      ],
    },
  },
  {
    // Production code of the server, the CLI and the plugins does not import the test helpers.
    files: ["packages/server/src/**/*.ts", "packages/cli/src/**/*.ts", "plugins/*/src/**/*.ts"],
    ignores: ["**/*.test.ts", "**/__tests__/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@saker/engine/*"],
              message: "Import from '@saker/engine', not from the engine's files or its test helpers.",
            },
          ],
        },
      ],
    },
  },
  {
    // The web UI runs in the browser.
    files: ["packages/ui/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests and benchmarks poke at JSON responses whose shape the test itself asserts.
    files: ["**/*.test.ts", "**/__tests__/**", "test/**", "bench/**", "conformance/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
