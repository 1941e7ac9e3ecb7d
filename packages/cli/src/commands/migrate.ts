import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CopyProgress, DatabaseMigrationReport, S3Storage, TableProgress } from "@saker/engine";
import { SakerError } from "@saker/sdk/errors";
import { configFrom } from "../options.ts";

interface MigrateOptions {
  from?: string;
  to?: string;
  storageFrom?: string;
  storageTo?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3AccessKey?: string;
  s3SecretKey?: string;
  s3PathStyle?: boolean;
  config?: string;
  concurrency?: string;
  dryRun?: boolean;
  overwrite?: boolean;
}

const EXAMPLES = `
The database copy (--from sqlite:<home folder or .db file> --to postgres://…[?schema=name]) opens
the SQLite file read-only (stop the instance first: a running one holds its home and is refused),
creates or updates the PostgreSQL schema, and copies table by table in batches, each batch in one
transaction: flows with every revision (deleted ones too), executions with their task runs, logs,
metrics, KV entries, trigger state, and the queue. The queue is copied because it holds what the
stopped instance had left to do (the next steps of unfinished executions, their worker jobs,
Flow-trigger notices): copied unclaimed, those executions resume on PostgreSQL. Not copied: the
SQLite schema_migrations table and PostgreSQL's process heartbeats. Namespace files and execution
files live in the storage folder: copy them with --storage-from/--storage-to (same command).
Start the PostgreSQL processes after the copy: one running already is told about the copied
flows, but could handle a copied message before it has the execution's flow.

Running it again copies nothing twice: the target remembers what it received from this file, and
a row changed on PostgreSQL since (an execution that resumed there) is left alone. A target that
holds different data under the same ids stops the copy before anything is written
(MIGRATE_CONFLICT, the rows listed) unless --overwrite. --dry-run prints the counts only.

The storage copy is idempotent: a file already in the bucket with the same size is skipped, so an
interrupted copy is run again as it was. S3 credentials: --s3-access-key and --s3-secret-key, the
storage block of --config (type: s3), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.

Examples:
  saker migrate --storage-from .saker/storage --storage-to s3://saker-data/prod \\
      --s3-endpoint http://minio:9000
  saker migrate --storage-from /srv/saker/storage --config saker-s3.yml
  saker migrate --from sqlite:.saker --to postgres://saker@db:5432/saker?schema=saker --dry-run
  saker migrate --from sqlite:.saker --to postgres://saker@db:5432/saker \\
      --storage-from .saker/storage --storage-to s3://saker-data/prod --s3-endpoint http://minio:9000`;

/** The S3 settings given on the command line, as storage config keys. */
function targetOverrides(options: MigrateOptions): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  if (options.s3Endpoint !== undefined) overrides.endpoint = options.s3Endpoint;
  if (options.s3Region !== undefined) overrides.region = options.s3Region;
  if (options.s3AccessKey !== undefined) overrides.accessKey = options.s3AccessKey;
  if (options.s3SecretKey !== undefined) overrides.secretKey = options.s3SecretKey;
  if (options.s3PathStyle !== undefined) overrides.forcePathStyle = options.s3PathStyle;
  return overrides;
}

/** The bucket to copy to: the storage block of --config, and/or --storage-to with the --s3-* options. */
async function openTarget(options: MigrateOptions): Promise<S3Storage> {
  const { parseS3Url, S3Storage, s3StorageOfConfig } = await import("@saker/engine");
  const location = options.storageTo ? parseS3Url(options.storageTo) : undefined;
  if ((options.s3AccessKey === undefined) !== (options.s3SecretKey === undefined))
    throw new SakerError("CLI_USAGE", "--s3-access-key and --s3-secret-key go together");
  if (options.config) {
    const config = await configFrom({ config: options.config });
    if (config.storage.type !== "s3")
      throw new SakerError("CLI_USAGE", `The storage of '${options.config}' is not an S3 one (storage.type: s3)`);
    const storage = { ...config.storage, ...targetOverrides(options), ...(location ?? {}) } as typeof config.storage;
    return s3StorageOfConfig(storage, config.env, config.secrets.file);
  }
  if (!location)
    throw new SakerError(
      "CLI_USAGE",
      "--storage-from needs --storage-to s3://bucket/prefix (or --config with an S3 storage)",
    );
  return new S3Storage({
    bucket: location.bucket,
    prefix: location.prefix,
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint } : {}),
    ...(options.s3Region ? { region: options.s3Region } : {}),
    ...(options.s3PathStyle !== undefined ? { forcePathStyle: options.s3PathStyle } : {}),
    ...(options.s3AccessKey && options.s3SecretKey
      ? { credentials: { accessKeyId: options.s3AccessKey, secretAccessKey: options.s3SecretKey } }
      : {}),
  });
}

function checkDatabaseOptions(options: MigrateOptions): void {
  if (options.from === undefined && options.to === undefined) return;
  if (!options.from?.startsWith("sqlite:") || !/^postgres(ql)?:\/\//.test(options.to ?? ""))
    throw new SakerError(
      "CLI_USAGE",
      "The database is copied with --from sqlite:<home or file> --to postgres://user@host:5432/db",
    );
  if (options.from.replace(/^sqlite:(\/\/)?/, "") === "")
    throw new SakerError("CLI_USAGE", "--from sqlite: needs the home folder or the database file after 'sqlite:'");
}

function tableLine(p: TableProgress): string {
  const parts = [`${p.copied} copied`];
  if (p.updated) parts.push(`${p.updated} updated`);
  if (p.overwritten) parts.push(`${p.overwritten} overwritten`);
  parts.push(`${p.skipped} already there`);
  if (p.conflicts) parts.push(`${p.conflicts} conflicts`);
  return `${p.table}: ${p.done}/${p.total} (${parts.join(", ")})`;
}

async function copyDatabase(options: MigrateOptions): Promise<DatabaseMigrationReport> {
  const { migrateSqliteToPostgres } = await import("@saker/engine");
  const from = options.from!.replace(/^sqlite:(\/\/)?/, "");
  let shown = "";
  let table = "";
  let last = 0;
  const report = await migrateSqliteToPostgres({
    from,
    to: options.to!,
    dryRun: options.dryRun === true,
    overwrite: options.overwrite === true,
    onProgress: (p) => {
      // a table's first and last lines, and one a second at most in between
      const now = Date.now();
      const line = `database: ${tableLine(p)}`;
      if (line === shown || (p.table === table && p.done < p.total && now - last < 1000)) return;
      process.stderr.write(`${line}\n`);
      shown = line;
      table = p.table;
      last = now;
    },
    onWarning: (message) => process.stderr.write(`database: warning: ${message}\n`),
  });
  const verb = report.dryRun ? "Would copy" : "Database copied";
  process.stdout.write(`${verb} from '${report.source}' to ${report.target} (schema ${report.schema}):\n`);
  for (const table of report.tables) process.stdout.write(`  ${tableLine(table)}\n`);
  if (report.conflictCount > 0) {
    process.stdout.write(
      `${report.conflictCount} row(s) differ on the target (kept; --overwrite replaces them):\n${report.conflicts.map((c) => `  ${c}\n`).join("")}`,
    );
  }
  return report;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** One progress line at most every second (and the last one), on stderr. */
function progressPrinter(): (progress: CopyProgress, force?: boolean) => void {
  let last = 0;
  return (p, force = false) => {
    const now = Date.now();
    if (!force && now - last < 1000) return;
    last = now;
    const done = p.copied + p.skipped + p.failed;
    process.stderr.write(
      `storage: ${done}/${p.total} files (${p.copied} copied, ${p.skipped} already there, ${p.failed} failed), ${megabytes(p.bytes)}\n`,
    );
  };
}

function storageFolder(options: MigrateOptions): string {
  const folder = resolve(options.storageFrom!);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new SakerError("CLI_USAGE", `--storage-from '${folder}' is not a folder`);
  return folder;
}

async function copyStorage(options: MigrateOptions): Promise<boolean> {
  const folder = storageFolder(options);
  const concurrency = Number(options.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new SakerError(
      "CLI_USAGE",
      `--concurrency must be a whole number of at least 1, not '${options.concurrency}'`,
    );
  const target = await openTarget(options);
  try {
    await target.verify();
    const { copyToS3, LocalStorage } = await import("@saker/engine");
    process.stderr.write(`storage: copying '${folder}' to bucket '${target.bucket}'\n`);
    const print = progressPrinter();
    const report = await copyToS3(new LocalStorage(folder), target, {
      concurrency,
      onFile: (path, outcome, progress) => {
        if (outcome === "failed") process.stderr.write(`storage: failed ${path}\n`);
        print(progress);
      },
    });
    print(report, true);
    for (const failure of report.failures) process.stderr.write(`  ${failure.path}: ${failure.error}\n`);
    process.stdout.write(
      `Storage copied: ${report.total} files, ${report.copied} copied (${megabytes(report.bytes)}), ${report.skipped} already there with the same size, ${report.failed} failed\n`,
    );
    return report.failed === 0;
  } finally {
    target.close();
  }
}

/** `saker migrate`: moves an embedded instance to the scaled-out setup (PostgreSQL, S3 storage). */
export function configureMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("Move an instance's data to PostgreSQL and its storage files to an S3-compatible bucket")
    .option("--from <source>", "the database to copy: sqlite:<home folder or .db file>")
    .option("--to <target>", "where to copy it: postgres://user:password@host:5432/db[?schema=name]")
    .option("--dry-run", "count what the database copy would copy, write nothing")
    .option("--overwrite", "replace the target's rows that differ from the SQLite ones (else: stop, listing them)")
    .option("--storage-from <folder>", "a local storage folder to copy (e.g. .saker/storage)")
    .option("--storage-to <s3-url>", "where to copy it: s3://bucket or s3://bucket/prefix")
    .option("--s3-endpoint <url>", "an S3-compatible server (MinIO, Ceph…); none: AWS S3")
    .option("--s3-region <region>", "the bucket's region (default us-east-1)")
    .option("--s3-access-key <key>", "access key (default: AWS_ACCESS_KEY_ID or the AWS profile)")
    .option("--s3-secret-key <key>", "secret key (default: AWS_SECRET_ACCESS_KEY or the AWS profile)")
    .option("--s3-path-style", "path-style addressing (the default with --s3-endpoint)")
    .option("--no-s3-path-style", "virtual-host addressing (bucket.host)")
    .option("-c, --config <file>", "a configuration whose storage block (type: s3) is the target")
    .option("--concurrency <n>", "files copied at the same time (default 4)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: MigrateOptions) => {
      checkDatabaseOptions(options);
      const database = options.from !== undefined;
      if (options.storageFrom === undefined && (!database || options.storageTo !== undefined))
        throw new SakerError(
          "CLI_USAGE",
          options.storageTo
            ? "--storage-to needs --storage-from <folder>"
            : "Nothing to migrate: give --from and --to, or --storage-from and --storage-to (see saker migrate --help)",
        );
      if (options.dryRun && options.storageFrom !== undefined)
        throw new SakerError("CLI_USAGE", "--dry-run counts the database rows only; leave out --storage-from");
      // a bad storage folder is refused before the database is copied
      if (options.storageFrom !== undefined) storageFolder(options);
      if (database) {
        const report = await copyDatabase(options);
        if (report.dryRun) return;
      }
      if (options.storageFrom !== undefined && !(await copyStorage(options))) process.exitCode = 1;
    });
}
