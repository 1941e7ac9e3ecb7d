/**
 * What differs between Kestra's `io.kestra.plugin.aws.s3.*` and `io.kestra.plugin.minio.*`: the
 * type prefix, the connection properties and how they become an S3 client. Every task and the
 * trigger are written once against this.
 */
import type { z } from "@saker/sdk";
import type { AssumeRoleSettings } from "./assumeRole.ts";

/** How to reach one S3-compatible service, resolved from a task's connection properties. */
export interface S3Settings {
  region: string | undefined;
  /** An `http(s)://` URL, or undefined for AWS's own endpoints. */
  endpoint: string | undefined;
  /** The property `endpoint` came from, for errors. */
  endpointProperty: string;
  forcePathStyle: boolean;
  /** Static credentials; undefined uses the AWS SDK's default provider chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** A role assumed through STS with `credentials`; S3 is then signed with its temporary credentials. */
  assumeRole?: AssumeRoleSettings;
}

export interface S3Flavor {
  /** `aws`: Kestra's plugin-aws; `minio`: Kestra's plugin-minio (a few properties differ). */
  kind: "aws" | "minio";
  /** Type ids are `${prefix}.Upload`, …: `io.kestra.plugin.aws.s3` or `io.kestra.plugin.minio`. */
  prefix: string;
  /** The connection properties every type of this flavor takes. */
  connection: Record<string, z.ZodType>;
  /** Reads the connection properties of rendered `props`; throws a NonRetryableError when they are inconsistent. */
  settings(props: Readonly<Record<string, unknown>>): S3Settings;
  /** YAML lines of the connection properties, for the docs' examples. */
  exampleConnection: string;
  /** The name of the service in titles and errors. */
  service: string;
}
