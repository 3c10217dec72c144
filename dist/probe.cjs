"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// src/app/probe/probe.ts
var diagnosticsChannel = __toESM(require("node:diagnostics_channel"), 1);
var net = __toESM(require("node:net"), 1);
var v8 = __toESM(require("node:v8"), 1);
var vm = __toESM(require("node:vm"), 1);
var import_node_worker_threads = require("node:worker_threads");

// src/app/probe/protocol.ts
var probeSocketEnv = "LEAKWATCH_PROBE_SOCKET";

// src/app/probe/probe.ts
var heartbeatIntervalMs = 250;
var socketPath = process.env[probeSocketEnv];
if (socketPath && import_node_worker_threads.isMainThread) installProbe(socketPath);
function installProbe(path) {
  let requestsSeen = 0;
  let isConnected = false;
  const requestStart = diagnosticsChannel.channel("http.server.request.start");
  requestStart.subscribe(() => {
    requestsSeen += 1;
    if (isConnected) return;
    isConnected = true;
    connect(path, () => requestsSeen);
  });
  globalThis[/* @__PURE__ */ Symbol.for("leakwatch.probe.channel")] = requestStart;
}
function connect(path, requestsSeen) {
  const { collect, source } = resolveGc();
  const socket = net.createConnection(path);
  socket.unref();
  socket.on("error", () => socket.destroy());
  const send = (message) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}
`);
  };
  send({
    type: "hello",
    pid: process.pid,
    ppid: process.ppid,
    nodeVersion: process.version,
    gcSource: source
  });
  const heartbeat = setInterval(() => {
    send({ type: "heartbeat", rssBytes: process.memoryUsage.rss(), requestsSeen: requestsSeen() });
  }, heartbeatIntervalMs);
  heartbeat.unref();
  socket.on("close", () => clearInterval(heartbeat));
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      handle(JSON.parse(line));
      newline = buffered.indexOf("\n");
    }
  });
  function handle(command) {
    setImmediate(() => {
      try {
        if (command.type === "sample") {
          collect();
          send({ type: "sample", id: command.id, memory: readMemory(requestsSeen()) });
        } else {
          v8.writeHeapSnapshot(command.path);
          send({ type: "snapshot", id: command.id, path: command.path });
        }
      } catch (error) {
        send({ type: "failure", id: command.id, message: String(error) });
      }
    });
  }
}
function resolveGc() {
  const exposed = globalThis.gc;
  if (typeof exposed === "function") return { collect: exposed, source: "flag" };
  v8.setFlagsFromString("--expose-gc");
  return { collect: vm.runInNewContext("gc"), source: "vm" };
}
function readMemory(requestsSeen) {
  const usage = process.memoryUsage();
  const activeResources = {};
  for (const type of process.getActiveResourcesInfo())
    activeResources[type] = (activeResources[type] ?? 0) + 1;
  return {
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    arrayBuffersBytes: usage.arrayBuffers,
    rssBytes: usage.rss,
    v8UsedHeapBytes: v8.getHeapStatistics().used_heap_size,
    requestsSeen,
    activeResources
  };
}
