/**
 * What every route handler receives: the instance (once it is open), and the settings the server
 * was started with. The HTTP server may listen before the instance is ready: `/health` then says
 * 503, and every other route answers 503 `SERVER_STARTING`.
 */
import { createEngineApi, type EngineApi, type Instance } from "@saker/engine";
import { ApiError } from "./http/errors.ts";

export class ServerContext {
  private current: Instance | undefined;
  private currentApi: EngineApi | undefined;
  private stopping = false;

  constructor(
    readonly tenantId: string,
    /** `server.maxRequestSize`: the largest body accepted, multipart uploads included. */
    readonly maxRequestSize: number,
  ) {}

  /** The open instance; a 503 while starting or stopping. */
  get instance(): Instance {
    if (!this.current || this.stopping)
      throw new ApiError(
        503,
        this.stopping ? "SERVER_STOPPING" : "SERVER_STARTING",
        this.stopping ? "The server is stopping" : "The server is starting",
      );
    return this.current;
  }

  /** The engine's API over the open instance; a 503 while starting or stopping. */
  get api(): EngineApi {
    const instance = this.instance;
    if (this.currentApi?.instance !== instance) this.currentApi = createEngineApi(instance);
    return this.currentApi;
  }

  get ready(): boolean {
    return this.current !== undefined && !this.stopping;
  }

  setInstance(instance: Instance): void {
    this.current = instance;
  }

  markStopping(): void {
    this.stopping = true;
  }
}
