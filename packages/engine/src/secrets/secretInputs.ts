/** An execution's SECRET inputs, stored encrypted, as plain values (in memory only). */
import { secretInputLeavesOf, type Flow } from "../model/flow.ts";
import { inputAt } from "../model/inputPath.ts";
import type { Encryption } from "./encryption.ts";

/**
 * The dotted id and plain value of each SECRET input of `flowInputs` found in `inputs`. A value that
 * does not decrypt is left out: a default given in clear is not a secret of this instance.
 */
export function* decryptedSecretInputs(
  flowInputs: Flow["inputs"],
  inputs: unknown,
  encryption: Encryption,
): Generator<{ id: string; plain: string }> {
  for (const input of secretInputLeavesOf(flowInputs)) {
    const value = inputAt(inputs, input.id!);
    if (typeof value !== "string") continue;
    let plain: string;
    try {
      plain = encryption.decrypt(value);
    } catch {
      continue;
    }
    yield { id: input.id!, plain };
  }
}
