/**
 * `@saker/plugin-crypto`: Kestra's `io.kestra.plugin.crypto.openpgp.Encrypt` and `Decrypt`, on
 * OpenPGP.js. Files are streamed from and to internal storage; keys come ASCII-armored, as
 * `gpg --export --armor` and `gpg --export-secret-keys --armor` write them.
 *
 * @module
 */
import { definePlugin, type AnyTaskDefinition } from "@saker/sdk";
import { Decrypt } from "./decrypt.ts";
import { Encrypt } from "./encrypt.ts";

export default definePlugin({
  group: "io.kestra.plugin.crypto",
  title: "Crypto",
  description: "Encrypt, sign, decrypt and verify files with OpenPGP, interoperable with gpg.",
  tasks: [Encrypt, Decrypt] as unknown as AnyTaskDefinition[],
});
