/** Property and output schemas every serdes conversion shares. */
import { z } from "@saker/sdk";

/** The one output of a conversion: the converted file. */
export const uriOutput = z.object({ uri: z.string().describe("URI of the converted file in internal storage.") });

/** The outputs of a conversion that counts its records: the file and `size`, as Kestra's. */
export const sizedOutput = uriOutput.extend({ size: z.number().int().describe("The number of records converted.") });

/** The `from` property: the file to convert. */
export const from = z.string().describe("The URI of the file to convert (`kestra://…`).");

/** `onBadLines`: what a bad row does, failing the task by default (each task describes its own bad rows). */
export const onBadLines = z.enum(["ERROR", "WARN", "SKIP"]).default("ERROR");

/** A value of `onBadLines`. */
export type OnBadLines = z.output<typeof onBadLines>;
