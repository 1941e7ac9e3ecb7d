/**
 * What every messaging family shares: payload serdes, the consume loop with its limits, records
 * written as an Ion file in storage, Kestra's `from` property, and broker errors (with the
 * deadline of a connection attempt and credentials kept out of messages).
 */
export { SERDE_TYPES, deserialize, serialize, serdeTypeProperty, type SerdeType } from "./serde.ts";
export {
  consumeLoop,
  maxDurationProperty,
  maxRecordsProperty,
  requireLimit,
  type ConsumeLimits,
  type ConsumeLoopOptions,
  type ConsumeResult,
} from "./consumeLoop.ts";
export { openIonRecordFile, type IonRecordFile } from "./ionRecords.ts";
export { fromProperty, readFrom } from "./from.ts";
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  brokerError,
  closeOnAbort,
  redactUrl,
  stoppedError,
  scrub,
  urlSecrets,
  withDeadline,
  type BrokerErrorOptions,
} from "./errors.ts";
export { checkBrokerHost, hostOf, type BrokerContext } from "./outbound.ts";
