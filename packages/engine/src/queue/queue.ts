/** Moved to `backend/queue.ts`; kept so existing imports keep working. */
export type { NewMessage, QueueMessage, Topic } from "../backend/queue.ts";
