/** `io.kestra.plugin.serdes.protobuf.ProtobufToIon`: Protobuf messages (one, or a length-delimited stream) to Ion. */
import { defineTask, errorMessage, isSakerError, NonRetryableError, type RunContext, z } from "@saker/sdk";
import type protobuf from "protobufjs";
import { from, sizedOutput } from "./common.ts";
/** protobufjs loads with the task's first run, not with the plugin (Saker starts without it). */
const protobufIon = () => import("./protobufIon.ts");
import { encodeText } from "./charset.ts";
import { storeStream } from "./store.ts";

/** The longest delimited message read (its length prefix is checked before it is gathered). */
const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

/** A `kestra://` file, or a namespace file (`nsfile:///path` in the flow's namespace, `nsfile://namespace/path`). */
async function readDescriptorFile(ctx: RunContext, uri: string): Promise<Buffer> {
  if (!uri.startsWith("nsfile://")) return ctx.storage.readFile(uri);
  const rest = uri.slice("nsfile://".length);
  const slash = rest.indexOf("/");
  return ctx.storage.namespace(slash > 0 ? rest.slice(0, slash) : undefined).get(rest.slice(slash + 1));
}

/** A stream that is not length-delimited messages: its message says where. */
class StreamError extends Error {}

/** The varint at `offset`: its value and byte length, or undefined when the buffer ends inside it. */
function varint(buffer: Buffer, offset: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (offset + i >= buffer.length) return undefined;
    const byte = buffer[offset + i]!;
    if (i < 5) value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, length: i + 1 };
  }
  throw new StreamError("a length prefix is not a varint");
}

/** The messages of a length-delimited stream (Java's `writeDelimitedTo`), gathered one at a time. */
async function* delimitedMessages(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  /** Reads chunks until `pending` holds `bytes` bytes (false when the stream ends first). */
  const fill = async (bytes: number): Promise<boolean> => {
    const chunks: Buffer[] = [pending];
    let size = pending.length;
    while (size < bytes && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else {
        chunks.push(next.value);
        size += next.value.length;
      }
    }
    pending = chunks.length === 1 ? pending : Buffer.concat(chunks, size);
    return size >= bytes;
  };
  let number = 0;
  for (;;) {
    let header = varint(pending, 0);
    while (!header) {
      if (!(await fill(pending.length + 1))) {
        if (pending.length === 0) return;
        throw new StreamError(`the stream ends inside the length of message ${number + 1} (truncated file?)`);
      }
      header = varint(pending, 0);
    }
    number++;
    if (header.value > MAX_MESSAGE_BYTES)
      throw new StreamError(`message ${number} is longer than ${MAX_MESSAGE_BYTES} bytes: not a delimited stream?`);
    const end = header.length + header.value;
    if (!(await fill(end))) throw new StreamError(`the stream ends inside message ${number} (truncated file?)`);
    yield pending.subarray(header.length, end);
    pending = pending.subarray(end);
  }
}

/** The whole file as one message. */
async function* wholeMessage(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  yield Buffer.concat(chunks);
}

export const ProtobufToIon = defineTask({
  type: "io.kestra.plugin.serdes.protobuf.ProtobufToIon",
  title: "Convert Protobuf messages to Ion",
  examples: [
    {
      title: "Decode length-delimited products with a descriptor set",
      code:
        `id: to_ion\ntype: io.kestra.plugin.serdes.protobuf.ProtobufToIon\nfrom: "{{ outputs.download.uri }}"\n` +
        `descriptorFile: "kestra:///company/team/_files/products.desc"\ntypeName: com.company.Product\ndelimited: true`,
    },
  ],
  description:
    "Decodes Protobuf messages of type `typeName` with a descriptor set (`protoc --include_imports --descriptor_set_out=products.desc products.proto`) and writes one Ion value per message, the message's ProtoJSON as Kestra writes it: lowerCamelCase field names, fields in number order, default values of proto3 fields left out, 64-bit integers as strings, enums by name, timestamps and durations as text. The file is one message, or with `delimited: true` a stream of length-delimited messages, read one message at a time. A message with no field set gives no value.",
  properties: z.object({
    from,
    descriptorFile: z
      .string()
      .describe("URI of the descriptor set (`kestra://…`, or a namespace file `nsfile:///products.desc`)."),
    typeName: z.string().describe("The full name of the message type, such as `com.company.Product`."),
    delimited: z
      .boolean()
      .default(false)
      .describe("Whether the file is a stream of length-delimited messages rather than one message."),
    errorOnUnknownFields: z
      .boolean()
      .default(false)
      .describe("Whether a message holding fields its type does not declare fails the task."),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const { findMessageType, loadDescriptorSet, MessageIon, messageTypeNames, ProtobufError, unknownFields } =
      await protobufIon();
    let root: protobuf.Root;
    try {
      root = loadDescriptorSet(await readDescriptorFile(ctx, p.descriptorFile));
    } catch (error) {
      throw new NonRetryableError(`descriptorFile '${p.descriptorFile}': ${errorMessage(error)}`);
    }
    const type = findMessageType(root, p.typeName);
    if (!type) {
      const names = messageTypeNames(root);
      const known = names.slice(0, 20).join(", ") + (names.length > 20 ? ", …" : "");
      throw new NonRetryableError(
        `typeName: no message type '${p.typeName}' in the descriptor set (its types: ${known})`,
      );
    }
    const writer = new MessageIon(root);
    const source = await ctx.storage.getFile(p.from);
    let size = 0;
    async function* ion(): AsyncGenerator<string> {
      let number = 0;
      try {
        for await (const bytes of p.delimited ? delimitedMessages(source) : wholeMessage(source)) {
          number++;
          if (p.errorOnUnknownFields) {
            const unknown = unknownFields(type!, bytes);
            if (unknown.length > 0)
              throw new ProtobufError(
                `fields ${unknown.join(", ")} are not fields of ${type!.fullName.slice(1)} (errorOnUnknownFields)`,
              );
          }
          const line = writer.message(type!, type!.decode(bytes));
          if (line === undefined) continue;
          size++;
          yield `${line}\n`;
        }
      } catch (error) {
        // a stop, or a storage failure the SDK already words, is not the file's fault
        if (ctx.signal.aborted || isSakerError(error)) throw error;
        const where = error instanceof StreamError ? "" : ` (message ${number})`;
        throw new NonRetryableError(`invalid Protobuf in '${p.from}'${where}: ${errorMessage(error)}`);
      }
    }
    const uri = await storeStream(ctx, "data.ion", encodeText(ion(), "utf8"));
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});
