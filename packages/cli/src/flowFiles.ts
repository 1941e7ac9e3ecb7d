import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SakerError } from "@saker/sdk/errors";

const FLOW_FILE = /\.ya?ml$/i;

/** Flow files named directly, or found (not recursively) in folders. */
export function listFlowFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new SakerError("FILE_NOT_FOUND", `No such file or folder: '${path}'`);
    }
    if (stat.isDirectory())
      files.push(
        ...readdirSync(path)
          .filter((f) => FLOW_FILE.test(f))
          .sort()
          .map((f) => join(path, f)),
      );
    else files.push(path);
  }
  return files;
}
