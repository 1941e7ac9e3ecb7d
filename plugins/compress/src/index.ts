/**
 * `@saker/plugin-compress`: Kestra's `io.kestra.plugin.compress.*` tasks. ZIP/JAR and TAR
 * archives (yazl, yauzl, tar-stream), GZIP, DEFLATE and BROTLI (node:zlib) and BZIP2 decoding
 * (unbzip2-stream), all streamed.
 *
 * Plugin configuration (`plugins.configurations` with `type: io.kestra.plugin.compress`):
 * `maxEntries` and `maxSize`, the decompression limits (defaults 10,000 entries and 1 GiB).
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { compressTasks } from "./tasks.ts";

export default definePlugin({
  group: "io.kestra.plugin.compress",
  title: "Compress",
  description:
    "Create and extract ZIP and TAR archives; compress and decompress GZIP, DEFLATE and BROTLI files, decompress BZIP2.",
  tasks: compressTasks,
});
