/** The S3 types, shared by `@saker/plugin-aws` and `@saker/plugin-minio`. */
export { defineS3Types, type S3Types } from "./defineS3Types.ts";
export { awsFlavor } from "./awsConnection.ts";
export { staticCredentials } from "./awsConnection.ts";
export type { S3Flavor, S3Settings } from "./flavor.ts";
