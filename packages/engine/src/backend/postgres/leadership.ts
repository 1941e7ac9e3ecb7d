/**
 * One leader among the processes sharing a database, for a role only one may play at a time (the
 * scheduler's clock): a session advisory lock held on a connection of its own. The lock goes with
 * the connection: a leader killed, or cut off from the database, loses it at once (PostgreSQL
 * ends the session), and the next candidate to ask takes it.
 */
import pg from "pg";

export class Leadership {
  private client: pg.Client | undefined;
  private leading = false;
  private closed = false;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly name: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /**
   * Whether this process leads now: takes the lock when free; a leader checks that its session is
   * still there. A failure (the connection lost) means not leading, and a new session next time.
   */
  async lead(): Promise<boolean> {
    if (this.closed) return false;
    try {
      if (!this.client) {
        const client = new pg.Client(this.connection);
        client.on("error", (error) => {
          this.onError(error);
          this.drop(client);
        });
        this.client = client;
        await client.connect();
      }
      if (this.leading) {
        await this.client.query("SELECT 1");
        return true;
      }
      const { rows } = await this.client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
        [this.name],
      );
      this.leading = rows[0]?.locked === true;
      return this.leading;
    } catch (error) {
      this.onError(error);
      if (this.client) this.drop(this.client);
      return false;
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.leading = false;
    client.end().catch(() => undefined);
  }

  /** Gives the role up (ending the session frees the lock). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    this.leading = false;
    await client?.end().catch(() => undefined);
  }
}
