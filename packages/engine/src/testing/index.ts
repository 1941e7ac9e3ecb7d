/**
 * What tests import (`@saker/engine/testing`): the public surface, a test instance and its
 * helpers, and the few internals tests check directly. Not for production code.
 */
export * from "../index.ts";
export * from "./testInstance.ts";
export { urlEncode } from "../expression/filters/strings.ts";
export { JavaNumber } from "../expression/values.ts";
export { parseYamlSource } from "../model/yamlSource.ts";
export { openDatabase } from "../backend/sqlite/database.ts";
export { ExecutionStore } from "../backend/sqlite/executionStore.ts";
export { Encryption } from "../secrets/encryption.ts";
export { SecretMasker } from "../secrets/masker.ts";
export { isSealed, SecretSealer } from "../secrets/sealer.ts";
export { ionValues } from "../storage/ionLines.ts";
export { toStoragePath } from "../storage/paths.ts";
export { streamToBuffer } from "../storage/streams.ts";
export { listFiles } from "../storage/workingFiles.ts";
export { createTaskLogger } from "../worker/taskLogger.ts";
export { createTaskStorage, namespaceFiles } from "../storage/taskStorage.ts";
export { onPath, portOpen, requirementsMet, runProgram, serviceAvailable } from "./services.ts";
export { createTestDatabase, type TestDatabase } from "../backend/postgres/testDatabase.ts";
export { startS3Server, type TestS3Server } from "./s3Server.ts";
