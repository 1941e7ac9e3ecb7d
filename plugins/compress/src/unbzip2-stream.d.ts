/** The one function of the untyped `unbzip2-stream` package: a bzip2 decoding stream. */
declare module "unbzip2-stream" {
  import type { Duplex } from "node:stream";
  export default function unbzip2Stream(): Duplex;
}
