/**
 * The compress tasks in real flows on a real engine: round trips (compress then decompress gives
 * the input back, byte for byte), archives written by other tools, and bad archives (bombs,
 * unsafe names, links, truncation), each failing with a clear error and storing no file.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coreRegistry,
  errorMessages,
  executionPrefix,
  openTestInstance,
  streamToBuffer,
  taskRun,
  toStoragePath,
  type Execution,
  type TestInstance,
} from "@saker/engine/testing";
import tar from "tar-stream";
import yazl from "yazl";
import compress from "./index.ts";

const NS = "company.compress";
const ns = (name: string) => `kestra:///company/compress/_files/${name}`;

let test: TestInstance;
beforeAll(async () => {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-compress", version: "1.0.0", core: false }, compress);
  test = await openTestInstance({ registry });
});
afterAll(async () => test?.close());

async function putNs(name: string, content: Buffer | string): Promise<string> {
  await test.instance.storage.put(toStoragePath(ns(name)), Buffer.from(content));
  return ns(name);
}

async function stored(uri: string): Promise<Buffer> {
  return streamToBuffer(await test.instance.storage.get(toStoragePath(uri)));
}

function flow(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n${tasks}`;
}

function task(id: string, type: string, props: string): string {
  const body = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `  - id: ${id}\n    type: io.kestra.plugin.compress.${type}\n${body}\n`;
}

/** The files the execution stored (its inputs and task outputs). */
async function storedFiles(ex: Execution): Promise<string[]> {
  return test.instance.storage.list(executionPrefix(NS, ex.flowId, ex.id));
}

const outputs = (ex: Execution, id: string) => taskRun(ex, id).outputs as Record<string, unknown>;

async function tarOf(entries: Array<{ name: string; content?: Buffer; type?: tar.Header["type"]; linkname?: string }>) {
  const pack = tar.pack();
  for (const e of entries)
    pack.entry(
      { name: e.name, type: e.type ?? "file", linkname: e.linkname, size: e.content?.length ?? 0 },
      e.content ?? Buffer.alloc(0),
    );
  pack.finalize();
  return streamToBuffer(pack as unknown as Readable);
}

async function zipOf(entries: Array<{ name: string; content: Buffer; mode?: number }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.content, e.name, e.mode ? { mode: e.mode } : {});
  zip.end();
  return streamToBuffer(zip.outputStream as Readable);
}

describe("round trips", () => {
  const text = "id,name\n1,alpha\n2,béta\n".repeat(200);
  const binary = randomBytes(200_000);
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await putNs("a.csv", text);
    b = await putNs("b.bin", binary);
  });

  it.each([
    ["ZIP", undefined],
    ["JAR", undefined],
    ["TAR", undefined],
    ["TAR", "GZIP"],
    ["ZIP", "BROTLI"],
    ["TAR", "DEFLATE"],
  ])("%s with compression %s gives the files back", async (algorithm, compression) => {
    const c = compression ? `\ncompression: ${compression}` : "";
    const ex = await test.run(
      flow(
        `rt_${algorithm}_${compression ?? "none"}`.toLowerCase(),
        task("pack", "ArchiveCompress", `from:\n  a.csv: "${a}"\n  dir/b.bin: "${b}"\nalgorithm: ${algorithm}${c}`) +
          task("unpack", "ArchiveDecompress", `from: "{{ outputs.pack.uri }}"\nalgorithm: ${algorithm}${c}`),
      ),
    );
    expect(ex.state.current, JSON.stringify(errorMessages(test, ex, "unpack"))).toBe("SUCCESS");
    const files = outputs(ex, "unpack").files as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(["a.csv", "dir/b.bin"]);
    expect((await stored(files["a.csv"]!)).toString("utf8")).toBe(text);
    expect((await stored(files["dir/b.bin"]!)).equals(binary)).toBe(true);
    // The list of stored files the bad-input tests expect empty does see what a run stores.
    expect((await storedFiles(ex)).length).toBe(3);
  });

  it.each(["GZIP", "DEFLATE", "BROTLI"])("FileCompress then FileDecompress with %s", async (compression) => {
    const ex = await test.run(
      flow(
        `file_${compression.toLowerCase()}`,
        task("c", "FileCompress", `from: "${b}"\ncompression: ${compression}`) +
          task("d", "FileDecompress", `from: "{{ outputs.c.uri }}"\ncompression: ${compression}`),
      ),
    );
    expect(ex.state.current, JSON.stringify(errorMessages(test, ex, "d"))).toBe("SUCCESS");
    const packed = await stored(outputs(ex, "c").uri as string);
    expect(packed.length).toBeGreaterThan(0);
    expect(packed.equals(binary)).toBe(false);
    expect((await stored(outputs(ex, "d").uri as string)).equals(binary)).toBe(true);
  });

  it("a gzip file is a standard one, and a .tar.gz from another tool extracts", async () => {
    const ex = await test.run(flow("gzip_std", task("c", "FileCompress", `from: "${a}"\ncompression: GZIP`)));
    expect(gunzipSync(await stored(outputs(ex, "c").uri as string)).toString("utf8")).toBe(text);
    const tgz = await putNs("other.tar.gz", gzipSync(await tarOf([{ name: "./x/y.txt", content: Buffer.from("y") }])));
    const ex2 = await test.run(
      flow("tgz_std", task("d", "ArchiveDecompress", `from: "${tgz}"\nalgorithm: TAR\ncompression: GZIP`)),
    );
    expect(ex2.state.current).toBe("SUCCESS");
    const files = outputs(ex2, "d").files as Record<string, string>;
    expect(Object.keys(files)).toEqual(["x/y.txt"]);
    expect((await stored(files["x/y.txt"]!)).toString()).toBe("y");
  });
});

describe("limits from the plugin configuration", () => {
  it("an instance's maxEntries applies, and a task's own maxEntries wins", async () => {
    const configured = await openTestInstance({
      registry: (() => {
        const registry = coreRegistry();
        registry.addPlugin({ name: "@saker/plugin-compress", version: "1.0.0", core: false }, compress);
        return registry;
      })(),
      overrides: { plugins: { configurations: [{ type: "io.kestra.plugin.compress", values: { maxEntries: 2 } }] } },
    });
    try {
      const three = ["a", "b", "c"].map((name) => ({ name, content: Buffer.from(name) }));
      await configured.instance.storage.put(toStoragePath(ns("three.tar")), await tarOf(three));
      const refused = await configured.run(
        flow("conf_limit", task("d", "ArchiveDecompress", `from: "${ns("three.tar")}"\nalgorithm: TAR`)),
      );
      expect(refused.state.current).toBe("FAILED");
      expect(errorMessages(configured, refused, "d").join("\n")).toContain("more than 2 entries (maxEntries)");
      const allowed = await configured.run(
        flow(
          "conf_limit_task",
          task("d", "ArchiveDecompress", `from: "${ns("three.tar")}"\nalgorithm: TAR\nmaxEntries: 3`),
        ),
      );
      expect(allowed.state.current).toBe("SUCCESS");
    } finally {
      await configured.close();
    }
  });
});

describe("bzip2 (decompression only)", () => {
  // The inputs are made by the system's bzip2 tool, so this also checks interoperability.
  const sample = "hello bzip2\n".repeat(1000);

  it("FileDecompress and ArchiveDecompress read bzip2 from the bzip2 tool; a cut one is corrupt", async () => {
    const { execFileSync } = await import("node:child_process");
    let bz: Buffer;
    try {
      bz = execFileSync("bzip2", ["-c"], { input: sample });
    } catch {
      console.warn("bzip2 tool missing: skipping the bzip2 interop test");
      return;
    }
    const file = await putNs("hello.txt.bz2", bz);
    const ex = await test.run(flow("bz2", task("d", "FileDecompress", `from: "${file}"\ncompression: BZIP2`)));
    expect(ex.state.current).toBe("SUCCESS");
    expect((await stored(outputs(ex, "d").uri as string)).toString()).toBe(sample);
    expect(outputs(ex, "d").uri).toMatch(/hello\.txt$/);
    const tbz = await putNs(
      "hello.tar.bz2",
      execFileSync("bzip2", ["-c"], { input: await tarOf([{ name: "h.txt", content: Buffer.from(sample) }]) }),
    );
    const ex2 = await test.run(
      flow("tbz", task("d", "ArchiveDecompress", `from: "${tbz}"\nalgorithm: TAR\ncompression: BZIP2`)),
    );
    expect(ex2.state.current).toBe("SUCCESS");
    expect((await stored((outputs(ex2, "d").files as Record<string, string>)["h.txt"]!)).toString()).toBe(sample);
    const cut = await putNs("cut.bz2", bz.subarray(0, bz.length - 20));
    const bad = await test.run(flow("bz2_cut", task("d", "FileDecompress", `from: "${cut}"\ncompression: BZIP2`)));
    expect(bad.state.current).toBe("FAILED");
    expect(errorMessages(test, bad, "d").join("\n")).toContain("the BZIP2 file is corrupt or truncated");
    expect(await storedFiles(bad)).toEqual([]);
  });
});

describe("odd but valid archives", () => {
  it("a name held twice gives the last content, stored once", async () => {
    const file = await putNs(
      "twice.tar",
      await tarOf([
        { name: "same.txt", content: Buffer.from("first") },
        { name: "same.txt", content: Buffer.from("second") },
      ]),
    );
    const ex = await test.run(flow("twice", task("d", "ArchiveDecompress", `from: "${file}"\nalgorithm: TAR`)));
    expect(ex.state.current).toBe("SUCCESS");
    const files = outputs(ex, "d").files as Record<string, string>;
    expect((await stored(files["same.txt"]!)).toString()).toBe("second");
    expect(await storedFiles(ex)).toHaveLength(1);
  });

  it("folder entries are skipped and names with spaces keep their key", async () => {
    const file = await putNs(
      "folders.tar",
      await tarOf([
        { name: "my dir/", type: "directory" },
        { name: "my dir/a file.txt", content: Buffer.from("a") },
      ]),
    );
    const ex = await test.run(flow("folders", task("d", "ArchiveDecompress", `from: "${file}"\nalgorithm: TAR`)));
    expect(ex.state.current).toBe("SUCCESS");
    const files = outputs(ex, "d").files as Record<string, string>;
    expect(Object.keys(files)).toEqual(["my dir/a file.txt"]);
    expect(files["my dir/a file.txt"]).toMatch(/a_file\.txt$/);
  });
});

describe("bad archives", () => {
  async function failing(id: string, from: string, props: string, type = "ArchiveDecompress") {
    const ex = await test.run(flow(id, task("d", type, `from: "${from}"\n${props}`)));
    expect(ex.state.current).toBe("FAILED");
    expect(await storedFiles(ex)).toEqual([]);
    return errorMessages(test, ex, "d").join("\n");
  }

  it("a zip past maxSize stops, naming the entry", async () => {
    const bomb = await putNs("bomb.zip", await zipOf([{ name: "zeros.bin", content: Buffer.alloc(5_000_000) }]));
    expect((await stored(bomb)).length).toBeLessThan(100_000);
    const error = await failing("zip_bomb", bomb, "algorithm: ZIP\nmaxSize: 1000000");
    expect(error).toContain("larger than 1000000 bytes (maxSize)");
    expect(error).toContain("zeros.bin");
  });

  it("archives with more entries than maxEntries are refused (zip and tar)", async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, content: Buffer.from(String(i)) }));
    const zip = await putNs("many.zip", await zipOf(many));
    expect(await failing("zip_many", zip, "algorithm: ZIP\nmaxEntries: 3")).toContain("more than 3 (maxEntries)");
    const tgz = await putNs("many.tar", await tarOf(many));
    expect(await failing("tar_many", tgz, "algorithm: TAR\nmaxEntries: 3")).toContain(
      "more than 3 entries (maxEntries)",
    );
  });

  it("a .tar.gz past maxSize stops, naming the entry", async () => {
    const tgz = gzipSync(await tarOf([{ name: "zeros.bin", content: Buffer.alloc(5_000_000) }]));
    const file = await putNs("bomb.tar.gz", tgz);
    const error = await failing("tgz_bomb", file, "algorithm: TAR\ncompression: GZIP\nmaxSize: 1000000");
    expect(error).toContain("larger than 1000000 bytes (maxSize), stopped in 'zeros.bin'");
  });

  it("a gzip bomb stops at maxSize in FileDecompress", async () => {
    const gz = await putNs("zeros.gz", gzipSync(Buffer.alloc(5_000_000)));
    const error = await failing("gz_bomb", gz, "compression: GZIP\nmaxSize: 100000", "FileDecompress");
    expect(error).toContain("larger than 100000 bytes (maxSize)");
  });

  it.each([
    ["../evil.txt", "'../evil.txt' is refused"],
    ["/etc/evil.txt", "'/etc/evil.txt' is refused"],
    ["a/../../evil.txt", "'a/../../evil.txt' is refused"],
  ])("a tar entry named %s is refused", async (name, expected) => {
    const file = await putNs(`unsafe${name.length}.tar`, await tarOf([{ name, content: Buffer.from("x") }]));
    expect(await failing(`tar_unsafe_${name.length}`, file, "algorithm: TAR")).toContain(expected);
  });

  it("a zip entry named ../evil.txt is refused", async () => {
    const zip = await zipOf([{ name: "aa/evil.txt", content: Buffer.from("x") }]);
    const patched = Buffer.from(zip.toString("latin1").replaceAll("aa/evil.txt", "../evil.txt"), "latin1");
    const file = await putNs("unsafe.zip", patched);
    expect(await failing("zip_unsafe", file, "algorithm: ZIP")).toContain("'../evil.txt' is refused");
  });

  it("links are refused (tar symlink, tar hard link, zip symlink)", async () => {
    const sym = await putNs("sym.tar", await tarOf([{ name: "l", type: "symlink", linkname: "/etc/passwd" }]));
    expect(await failing("tar_sym", sym, "algorithm: TAR")).toContain("entry 'l' is a link");
    const hard = await putNs("hard.tar", await tarOf([{ name: "h", type: "link", linkname: "/etc/passwd" }]));
    expect(await failing("tar_hard", hard, "algorithm: TAR")).toContain("entry 'h' is a link");
    const zip = await putNs(
      "sym.zip",
      await zipOf([{ name: "l", content: Buffer.from("/etc/passwd"), mode: 0o120777 }]),
    );
    expect(await failing("zip_sym", zip, "algorithm: ZIP")).toContain("entry 'l' is a link");
  });

  it("a truncated tar fails naming the entry, and no file of it is stored", async () => {
    const whole = await tarOf([
      { name: "first.txt", content: Buffer.from("first") },
      { name: "second.bin", content: randomBytes(10_000) },
    ]);
    const file = await putNs("cut.tar", whole.subarray(0, 4096));
    const error = await failing("tar_cut", file, "algorithm: TAR");
    expect(error).toContain("corrupt or truncated (entry 'second.bin')");
  });

  it("a truncated .tar.gz and a truncated zip fail as corrupt", async () => {
    const tgz = gzipSync(await tarOf([{ name: "r.bin", content: randomBytes(50_000) }]));
    const cutTgz = await putNs("cut.tar.gz", tgz.subarray(0, tgz.length / 2));
    expect(await failing("tgz_cut", cutTgz, "algorithm: TAR\ncompression: GZIP")).toContain("corrupt or truncated");
    const zip = await zipOf([{ name: "r.bin", content: randomBytes(50_000) }]);
    const cutZip = await putNs("cut.zip", zip.subarray(0, zip.length / 2));
    expect(await failing("zip_cut", cutZip, "algorithm: ZIP")).toContain("the ZIP archive is corrupt or truncated");
    const notGzip = await putNs("plain.txt", "not gzip at all");
    expect(await failing("not_gz", notGzip, "compression: GZIP", "FileDecompress")).toContain(
      "the GZIP file is corrupt or truncated",
    );
  });

  it("unsupported formats fail before reading, naming what is supported", async () => {
    const file = await putNs("x.txt", "x");
    expect(await failing("cpio", file, "algorithm: CPIO")).toContain(
      "archive algorithm CPIO is not supported by Saker",
    );
    expect(await failing("xz", file, "compression: XZ", "FileDecompress")).toContain(
      "compression XZ is not supported by Saker to decompress (supported: GZIP, DEFLATE, BROTLI, BZIP2)",
    );
    expect(await failing("bz2_out", file, "compression: BZIP2", "FileCompress")).toContain(
      "compression BZIP2 is not supported by Saker to compress (supported: GZIP, DEFLATE, BROTLI)",
    );
  });

  it("ArchiveCompress refuses an unsafe entry name in from and a missing file", async () => {
    const file = await putNs("y.txt", "y");
    const ex = await test.run(
      flow("bad_from", task("c", "ArchiveCompress", `from:\n  ../y.txt: "${file}"\nalgorithm: ZIP`)),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "c").join("\n")).toContain("from key '../y.txt' is refused");
    const missing = await test.run(
      flow("missing_from", task("c", "ArchiveCompress", `from:\n  y.txt: "${ns("nope.txt")}"\nalgorithm: TAR`)),
    );
    expect(missing.state.current).toBe("FAILED");
    expect(await storedFiles(missing)).toEqual([]);
  });
});
