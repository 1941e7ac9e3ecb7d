/** The part of snappyjs (pure JavaScript Snappy, no types of its own) that AvroToIon uses. */
declare module "snappyjs" {
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
