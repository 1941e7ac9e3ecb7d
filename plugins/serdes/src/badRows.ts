/**
 * The warnings of `onBadLines: WARN`, shared by CsvToIon, IonToAvro and IonToParquet: a big file
 * full of bad rows must not flood the execution's logs with one line per row, so only the first
 * {@link MAX_BAD_ROW_WARNINGS} are logged, and one line at the end gives the total.
 */
import type { Logger } from "@saker/sdk";
import type { OnBadLines } from "./common.ts";

/** The most warnings about bad rows one conversion logs; later ones are only counted. */
export const MAX_BAD_ROW_WARNINGS = 100;

/** Counts the rows a conversion leaves out and logs its warnings, for `WARN` only (`SKIP` is silent). */
export class BadRows {
  /** Rows left out. */
  private left = 0;
  /** Warnings logged, and warnings only counted past the limit. */
  private logged = 0;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly mode: OnBadLines,
    private readonly limit = MAX_BAD_ROW_WARNINGS,
  ) {}

  /** The number of rows left out so far. */
  get count(): number {
    return this.left;
  }

  /** A row left out: counted and, with `WARN`, warned about (`{}` placeholders as the logger's). */
  leftOut(message: string, ...args: unknown[]): void {
    this.left++;
    this.warn(message, ...args);
  }

  /**
   * The last row left out, after which nothing more is read: always warned about with `WARN`, past
   * the limit too (it cannot flood the logs, and it says why the file ends there).
   */
  lastLeftOut(message: string, ...args: unknown[]): void {
    this.left++;
    if (this.mode === "WARN") this.logger.warn(message, ...args);
  }

  /** A warning about a bad value in a row that is kept (written as null, say): within the same limit. */
  warn(message: string, ...args: unknown[]): void {
    if (this.mode !== "WARN") return;
    if (this.logged < this.limit) {
      this.logged++;
      this.logger.warn(message, ...args);
    } else this.unlogged++;
  }

  /** Once the conversion is over, with `WARN`: one line with the total, if there was anything bad. */
  end(): void {
    if (this.mode !== "WARN" || (this.left === 0 && this.unlogged === 0)) return;
    const unlogged = this.unlogged > 0 ? `; ${this.unlogged} warning(s) past the first ${this.limit} not logged` : "";
    if (this.left > 0) this.logger.warn("{} bad row(s) left out (onBadLines: WARN){}", this.left, unlogged);
    else this.logger.warn("No row left out{}", unlogged);
  }
}
