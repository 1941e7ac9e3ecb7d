/**
 * Triggers and backfills (`/triggers/search`, `/triggers/{namespace}/{flowId}`, `PUT /triggers`,
 * `…/unlock`, `…/restart`, `/triggers/backfill/{pause,unpause}`, `/triggers/backfill/delete`,
 * `/triggers/set-disabled/by-{triggers,query}`): to be written by the engine owner once the
 * scheduler keeps trigger state. Add routes with `defineRoute` to this list; they are mounted on
 * `/api/v1` and `/api/v1/{tenant}` with the others, behind auth, and documented in OpenAPI.
 */
import type { AnyRoute } from "../http/route.ts";

export const triggerRoutes: AnyRoute[] = [];
