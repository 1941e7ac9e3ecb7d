/**
 * The bundled compress plugin through the real CLI (built packages), on a fresh data folder with
 * no install: a file is zipped, unzipped, tarred and gzipped, extracted again and read back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { executionOf, runCli } from "./cli.ts";

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "saker-compress-it-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FLOW = `id: bundled_compress
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: hello archive
  - id: zip
    type: io.kestra.plugin.compress.ArchiveCompress
    from:
      docs/hello.txt: "{{ outputs.write.uri }}"
    algorithm: ZIP
  - id: unzip
    type: io.kestra.plugin.compress.ArchiveDecompress
    from: "{{ outputs.zip.uri }}"
    algorithm: ZIP
  - id: tgz
    type: io.kestra.plugin.compress.ArchiveCompress
    from:
      hello.txt: "{{ outputs.unzip.files['docs/hello.txt'] }}"
    algorithm: TAR
    compression: GZIP
  - id: untgz
    type: io.kestra.plugin.compress.ArchiveDecompress
    from: "{{ outputs.tgz.uri }}"
    algorithm: TAR
    compression: GZIP
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.untgz.files['hello.txt']) }}"
`;

it("a flow using io.kestra.plugin.compress.* runs with no plugins install", async () => {
  const file = join(work, "compress.yaml");
  writeFileSync(file, FLOW);
  const result = await runCli(["flow", "run", file, "--json"], { home: join(work, "home") });
  const execution = executionOf(result);
  expect(execution.state.current, result.stderr).toBe("SUCCESS");
  const read = execution.taskRunList.find((t: { taskId: string }) => t.taskId === "read");
  expect(read.outputs.value).toBe("hello archive");
  const zip = execution.taskRunList.find((t: { taskId: string }) => t.taskId === "zip");
  expect(zip.pluginVersion).toBe("@saker/plugin-compress@1.0.0");
});
