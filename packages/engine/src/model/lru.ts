/** The least-recently-used cache: the SDK's, shared with its user-regex cache and the plugins. */
export { Lru } from "@saker/sdk/lru";
