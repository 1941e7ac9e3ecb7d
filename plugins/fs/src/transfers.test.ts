/**
 * Large and stalled transfers: a 50 MB file streamed from the server into storage and back
 * (SFTP and FTP), and a server that stops sending mid-file, or stops answering, failing the task
 * once the instance's `idleTimeout` has passed, not hanging it.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ftpServer, outputsOf, sftpServer, taskFlow } from "../test/support.ts";
import { fsFixture } from "../test/fixture.ts";

const { test, servers, errors, put } = fsFixture(
  {
    sftp: () => sftpServer(),
    ftp: () => ftpServer(),
    stalling: () => sftpServer({ stallReadsFrom: 64 * 1024 }),
    mute: () => sftpServer({ stallListings: true }),
  },
  { configuration: { idleTimeout: "PT1S" } },
);

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}

describe.each(["sftp", "ftp"] as const)("%s", (protocol) => {
  const type = (name: string) => `io.kestra.plugin.fs.${protocol}.${name}`;

  it("streams a 50 MB file down into storage and up again, unchanged", async () => {
    const server = servers[protocol]!;
    const big = Buffer.alloc(50 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    put(server, `/${protocol}-big/in.bin`, big);
    const expected = createHash("sha256").update(big).digest("hex");
    const ex = await test.run(
      taskFlow(
        `${protocol}-big`,
        type("Upload"),
        `${server.connection()}\nfrom: "{{ outputs.down.to }}"\nto: "/${protocol}-big/out.bin"`,
        `  - id: down
    type: ${type("Download")}
${server
  .connection()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
    from: "/${protocol}-big/in.bin"
`,
      ),
      {},
      60_000,
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "down").checksum).toBe(expected);
    expect(await sha256(join(server.root, `${protocol}-big/out.bin`))).toBe(expected);
  }, 60_000);
});

it("fails a download the server stops sending, once no byte moved for idleTimeout", async () => {
  const server = servers.stalling!;
  put(server, "/stall/big.bin", Buffer.alloc(1024 * 1024, 7));
  const ex = await test.run(
    taskFlow("sftp-stall", "io.kestra.plugin.fs.sftp.Download", `${server.connection()}\nfrom: /stall/big.bin`),
  );
  expect(ex.state.current).toBe("FAILED");
  expect(errors(ex.id)).toContain("Unable to download '/stall/big.bin': no data moved for 1000 ms");
});

it("fails a listing the server never answers, once idleTimeout has passed", async () => {
  const server = servers.mute!;
  put(server, "/quiet/a.txt", "a");
  const ex = await test.run(
    taskFlow("sftp-mute", "io.kestra.plugin.fs.sftp.List", `${server.connection()}\nfrom: /quiet`),
  );
  expect(ex.state.current).toBe("FAILED");
  expect(errors(ex.id)).toContain(`sftp://127.0.0.1:${server.port} did not answer 'list' within 1000 ms`);
});
