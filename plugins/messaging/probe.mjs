import mqtt from "mqtt";
const id = "saker-probe-" + Math.random().toString(16).slice(2, 8);
const topic = "saker/probe/" + id;
const pre = await mqtt.connectAsync("mqtt://127.0.0.1:1883", {
  clientId: id,
  clean: false,
  protocolVersion: 4,
  reconnectPeriod: 0,
});
await pre.subscribeAsync(topic, { qos: 1 });
await pre.endAsync();
const client = mqtt.connect("mqtt://127.0.0.1:1883", {
  clientId: id,
  clean: false,
  protocolVersion: 4,
  reconnectPeriod: 0,
  manualConnect: true,
  connectTimeout: 30000,
});
client.handleMessage = (packet, done) => {
  console.log("got", packet.payload.toString());
  setTimeout(() => done(), 10);
};
client.on("connect", (c) => console.log("connect", c.sessionPresent));
client.on("error", (e) => console.log("error", e.message));
client.connect();
await new Promise((r) => client.once("connect", r));
await client.subscribeAsync(topic, { qos: 1 });
console.log("subscribed");
const pub = await mqtt.connectAsync("mqtt://127.0.0.1:1883", { protocolVersion: 4, reconnectPeriod: 0 });
await pub.publishAsync(topic, "r1", { qos: 1 });
await pub.publishAsync(topic, "r2", { qos: 1 });
console.log("published");
let ticks = 0;
const iv = setInterval(() => ticks++, 50);
await new Promise((r) => setTimeout(r, 1000));
clearInterval(iv);
console.log("ticks", ticks);
await pub.endAsync();
await client.endAsync(true);
const d = await mqtt.connectAsync("mqtt://127.0.0.1:1883", {
  clientId: id,
  clean: true,
  protocolVersion: 4,
  reconnectPeriod: 0,
});
await d.endAsync();
