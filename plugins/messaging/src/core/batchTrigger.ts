/**
 * A polling trigger's answer to one consumed batch, shared by the families whose batch is stored
 * before its size is known: one execution when records came, none for an empty batch, whose
 * stored file is then removed so that an empty poll leaves nothing behind.
 */
import type { TaskStorage } from "@saker/sdk";

export async function executionForBatch<V extends object>(
  records: number,
  uri: string,
  variables: V,
  storage: Pick<TaskStorage, "delete">,
): Promise<{ variables: V } | undefined> {
  if (records > 0) return { variables };
  await storage.delete(uri).catch(() => false);
  return undefined;
}
