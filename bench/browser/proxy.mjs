// A counting TCP proxy for the sync benchmark: every byte between the browser and a server passes
// through it, so Sakhi and PouchDB are weighed the same way, headers and all, whatever their
// protocol. Each chunk is logged with the time it passed, so a run can count exactly the bytes
// before the moment its sync finished.
import { createConnection, createServer } from "node:net";

/** Listens on a free port of 127.0.0.1 and forwards to `upstreamPort` there. */
export async function countingProxy(upstreamPort) {
  let log = null;
  const sockets = new Set();
  const count = (bytes) => log?.push({ at: performance.timeOrigin + performance.now(), bytes });
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: upstreamPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => {
      count(chunk.length);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      count(chunk.length);
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    port: server.address().port,
    /** Starts counting from now, forgetting anything before. */
    start() {
      log = [];
    },
    /** Bytes both ways since `start()` and up to `until` (milliseconds since the Unix epoch). */
    bytesUntil(until) {
      return (log ?? []).filter((c) => c.at <= until).reduce((sum, c) => sum + c.bytes, 0);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}
