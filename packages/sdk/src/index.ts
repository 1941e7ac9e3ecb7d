/**
 * `@saker/sdk`: the only package a Saker plugin depends on.
 *
 * @module
 */
export * from "./errors.ts";
