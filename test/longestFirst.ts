/**
 * The order in which vitest starts the test files: the longest first, so that a run does not end
 * with one long file alone on a worker while the others idle. A file's duration is the one vitest
 * remembered from the last run (node_modules/.vite/vitest/…/results.json), else the estimate in
 * LONG_FILES (a clean clone, as in CI, has no such cache); the other files follow in vitest's order.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * `project:file` → seconds, the files over about half a minute in full runs on the 2-core
 * development machine (`CI=true npx vitest run`, December 2026, loaded by other work). Only an
 * order: a stale figure makes a run slower, never wrong.
 */
export const LONG_FILES: Record<string, number> = {
  "sqlite:test/security/bigFlow.test.ts": 400,
  "sqlite:test/integration/bundledPlugins.test.ts": 300,
  "sqlite:test/cluster/executorKill.test.ts": 200,
  "sqlite:test/security/big.test.ts": 180,
  "sqlite:test/security/expressions.test.ts": 130,
  "sqlite:test/integration/jdbcPostgresFlow.test.ts": 120,
  "sqlite:test/cluster/workerKill.test.ts": 100,
  "sqlite:test/ui/admin.test.ts": 85,
  "sqlite:test/ui/admin-plugins.test.ts": 85,
  "sqlite:test/ui/editor.test.ts": 85,
  "sqlite:packages/server/src/__tests__/plugins.test.ts": 80,
  "sqlite:test/ui/flows.test.ts": 75,
  "postgres:packages/engine/src/runtime/triggers/scheduler.test.ts": 75,
  "sqlite:packages/server/src/__tests__/server.test.ts": 60,
  "sqlite:test/ui/executions.test.ts": 60,
  "sqlite:packages/engine/src/storage/s3Storage.test.ts": 55,
  "sqlite:test/security/inputs.test.ts": 55,
  "sqlite:plugins/messaging/src/kafka/kafka.test.ts": 50,
  "sqlite:test/security/secrets.test.ts": 50,
  "sqlite:test/security/routes.test.ts": 40,
  "sqlite:packages/engine/src/backend/readModel.test.ts": 40,
  "sqlite:plugins/git/src/namespaceFiles.test.ts": 40,
  "sqlite:plugins/messaging/src/amqp/amqp.test.ts": 35,
  "sqlite:plugins/messaging/src/mqtt/mqtt.test.ts": 35,
  "sqlite:packages/engine/src/storage/storage.test.ts": 30,
  "sqlite:plugins/messaging/src/nats/nats.test.ts": 30,
};

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const expectedMs = (file: TestSpecification): number => {
      const key = `${file.project.name}:${relative(root, file.moduleId)}`;
      return this.ctx.cache.getFileTestResults(key)?.duration ?? (LONG_FILES[key] ?? 0) * 1000;
    };
    return [...files].sort((a, b) => expectedMs(b) - expectedMs(a));
  }
}
