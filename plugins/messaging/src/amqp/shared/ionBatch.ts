/**
 * Records consumed by a task, written one Ion value per line to a file of the working directory
 * as they arrive (memory stays flat), then stored as one `.ion` file. Shared by the AMQP, MQTT
 * and Kafka consumers (to merge with `src/core/` of the NATS and Redis families).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { toIon } from "@saker/sdk/ion";
import type { TaskStorage } from "@saker/sdk";

export class IonBatch {
  private constructor(
    private readonly path: string,
    private readonly out: WriteStream,
  ) {}

  count = 0;

  static async open(workingDir: string): Promise<IonBatch> {
    const path = join(workingDir, `${randomUUID()}.ion`);
    const out = createWriteStream(path);
    await once(out, "open");
    return new IonBatch(path, out);
  }

  /** Appends one record; resolves when the stream can take more. */
  async add(record: unknown): Promise<void> {
    this.count++;
    if (!this.out.write(`${toIon(record)}\n`)) await once(this.out, "drain");
  }

  /** Closes the file and stores it; returns its `kestra://` URI. */
  async store(storage: Pick<TaskStorage, "putFile">): Promise<string> {
    await this.close();
    return storage.putFile(this.path, "messages.ion");
  }

  async close(): Promise<void> {
    if (this.out.closed) return;
    await new Promise<void>((resolve, reject) =>
      this.out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
