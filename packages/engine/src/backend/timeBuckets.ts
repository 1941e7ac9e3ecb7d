/**
 * Time buckets of the statistics (executions and logs per day, metric aggregates): the bucket size
 * follows the length of the period as Kestra chooses it (more than 365 days: months; more than
 * 180: weeks; more than 1: days; more than 6 hours: hours; else minutes). Buckets are in UTC and
 * computed in SQL from the ISO-8601 UTC text that every store writes.
 */

export type BucketSize = "month" | "week" | "day" | "hour" | "minute";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Kestra's `DateUtils.groupByType`: whole days and hours of the period, compared strictly. */
export function bucketSize(startMs: number, endMs: number): BucketSize {
  const days = Math.floor((endMs - startMs) / DAY);
  if (days > 365) return "month";
  if (days > 180) return "week";
  if (days > 1) return "day";
  if (Math.floor((endMs - startMs) / HOUR) > 6) return "hour";
  return "minute";
}

/** The SQL of the databases that compute buckets. */
export type BucketDialect = "sqlite" | "postgres";

/**
 * The date (`YYYY-MM-DD`) of the Monday that starts the ISO week of an ISO timestamp column. The
 * text's zone is UTC: PostgreSQL reads it as a timestamp without zone, which keeps its UTC fields.
 */
const WEEK_START: Record<BucketDialect, (column: string) => string> = {
  sqlite: (column) => `date(${column}, 'weekday 0', '-6 days')`,
  postgres: (column) => `to_char(date_trunc('week', (${column})::timestamp), 'YYYY-MM-DD')`,
};

/**
 * SQL expression of the bucket key of an ISO timestamp column: a text prefix of the instant, or
 * for weeks the date of the Monday that starts its ISO week; the same text in both dialects.
 */
export function bucketSql(column: string, size: BucketSize, dialect: BucketDialect = "sqlite"): string {
  switch (size) {
    case "month":
      return `substr(${column}, 1, 7)`;
    case "week":
      return WEEK_START[dialect](column);
    case "day":
      return `substr(${column}, 1, 10)`;
    case "hour":
      return `substr(${column}, 1, 13)`;
    case "minute":
      return `substr(${column}, 1, 16)`;
  }
}

/** The start of the bucket that a key from {@link bucketSql} names, as an ISO instant. */
export function bucketStart(key: string, size: BucketSize): string {
  switch (size) {
    case "month":
      return new Date(`${key}-01T00:00:00Z`).toISOString();
    case "week":
    case "day":
      return new Date(`${key}T00:00:00Z`).toISOString();
    case "hour":
      return new Date(`${key}:00:00Z`).toISOString();
    case "minute":
      return new Date(`${key}:00Z`).toISOString();
  }
}

/** The key of the bucket holding an instant (the same as {@link bucketSql} computes). */
export function bucketKey(ms: number, size: BucketSize): string {
  const iso = new Date(ms).toISOString();
  switch (size) {
    case "month":
      return iso.slice(0, 7);
    case "week": {
      const day = new Date(iso.slice(0, 10) + "T00:00:00Z");
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      return new Date(day.getTime() - sinceMonday * DAY).toISOString().slice(0, 10);
    }
    case "day":
      return iso.slice(0, 10);
    case "hour":
      return iso.slice(0, 13);
    case "minute":
      return iso.slice(0, 16);
  }
}

function nextBucket(startIso: string, size: BucketSize): number {
  const d = new Date(startIso);
  switch (size) {
    case "month":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case "week":
      return d.getTime() + 7 * DAY;
    case "day":
      return d.getTime() + DAY;
    case "hour":
      return d.getTime() + HOUR;
    case "minute":
      return d.getTime() + 60_000;
  }
}

/** The keys of every bucket from the one holding `startMs` to the one holding `endMs`, in order. */
export function bucketKeys(startMs: number, endMs: number, size: BucketSize): string[] {
  const keys: string[] = [];
  let key = bucketKey(startMs, size);
  const last = bucketKey(endMs, size);
  for (;;) {
    keys.push(key);
    if (key >= last) return keys;
    key = bucketKey(nextBucket(bucketStart(key, size), size), size);
  }
}
