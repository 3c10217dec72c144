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
var import_node_fs = require("node:fs");
var net3 = __toESM(require("node:net"), 1);
var v8 = __toESM(require("node:v8"), 1);
var vm = __toESM(require("node:vm"), 1);
var import_node_worker_threads = require("node:worker_threads");

// src/model/outbound.ts
var blockedLinePrefix = "leakwatch: blocked an outbound connection that no upstream stub claims: ";

// src/app/probe/network.ts
var import_node_dns = __toESM(require("node:dns"), 1);
var import_node_net = __toESM(require("node:net"), 1);

// src/app/probe/protocol.ts
var probeSocketEnv = "LEAKWATCH_PROBE_SOCKET";
var appPortEnv = "LEAKWATCH_APP_PORT";
var networkRulesEnv = "LEAKWATCH_NETWORK";

// src/app/probe/network.ts
var maxHostsCounted = 200;
function installNetworkRules(onFirstBlock) {
  const raw = process.env[networkRulesEnv];
  if (!raw) return () => [];
  const rules = JSON.parse(raw);
  const counts = /* @__PURE__ */ new Map();
  const count = (host, action, upstream) => {
    const entry = counts.get(host);
    if (entry) entry.connections += 1;
    else if (counts.size < maxHostsCounted)
      counts.set(host, { host, action, connections: 1, ...upstream ? { upstream } : {} });
  };
  const originalConnect = import_node_net.default.Socket.prototype.connect;
  import_node_net.default.Socket.prototype.connect = function connect2(...args) {
    const [options, callback] = readConnectArgs(args);
    if (!options || options.path) return originalConnect.apply(this, args);
    const hostname = (options.host ?? "localhost").toLowerCase().replace(/^\[|\]$/g, "");
    const host = `${hostname}:${options.port}`;
    const route = rules.routes[host];
    if (route) {
      count(host, "stub", route.upstream);
      const rerouted = { ...options, host: "127.0.0.1", port: route.port, family: 4, lookup: void 0 };
      return originalConnect.call(this, rerouted, callback);
    }
    if (isLoopback(hostname)) return originalConnect.apply(this, args);
    if (rules.outbound === "allow") {
      count(host, "allowed");
      return originalConnect.apply(this, args);
    }
    if (!counts.has(host)) onFirstBlock?.(host);
    count(host, "blocked");
    const error = Object.assign(
      new Error(
        `connect ENETUNREACH ${host} (leakwatch blocks outbound connections no upstream stub claims)`
      ),
      { code: "ENETUNREACH", errno: -101, syscall: "connect", address: hostname, port: options.port }
    );
    process.nextTick(() => this.destroy(error));
    return this;
  };
  rerouteLookups(new Set(Object.keys(rules.routes).map((host) => host.replace(/:\d+$/, ""))));
  return () => [...counts.values()].map((entry) => ({ ...entry }));
}
function readConnectArgs(args) {
  const [first, second, third] = args;
  const callback = [second, third].find((value) => typeof value === "function");
  if (Array.isArray(first)) return [first[0], first[1]];
  if (first !== null && typeof first === "object") return [first, callback];
  if (typeof first === "number" || typeof first === "string" && /^\d+$/.test(first)) {
    return [{ port: Number(first), host: typeof second === "string" ? second : void 0 }, callback];
  }
  return [void 0, void 0];
}
function isLoopback(hostname) {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "::1" || hostname === "0.0.0.0" || /^(::ffff:)?127\./.test(hostname);
}
function rerouteLookups(hostnames) {
  if (hostnames.size === 0) return;
  const isRerouted = (hostname) => hostnames.has(String(hostname).toLowerCase());
  for (const [family, address] of [
    ["resolve4", "127.0.0.1"],
    ["resolve6", "::1"]
  ]) {
    for (const target of [import_node_dns.default, import_node_dns.default.Resolver.prototype]) {
      const original = target[family];
      target[family] = function(hostname, ...rest) {
        if (!isRerouted(hostname)) return original.call(this, hostname, ...rest);
        const done = rest.find((value) => typeof value === "function");
        process.nextTick(() => done(null, [address]));
      };
    }
    for (const target of [import_node_dns.default.promises, import_node_dns.default.promises.Resolver.prototype]) {
      const original = target[family];
      target[family] = function(hostname, ...rest) {
        return isRerouted(hostname) ? Promise.resolve([address]) : original.call(this, hostname, ...rest);
      };
    }
  }
  const loopback = (all) => all ? [{ address: "127.0.0.1", family: 4 }] : "127.0.0.1";
  const wantsAll = (options) => typeof options === "object" && options !== null && "all" in options && Boolean(options.all);
  const originalLookup = import_node_dns.default.lookup;
  const lookup = (hostname, options, callback) => {
    const done = typeof options === "function" ? options : callback;
    if (!hostnames.has(String(hostname).toLowerCase()))
      return originalLookup(hostname, options, callback);
    const all = wantsAll(options);
    process.nextTick(() => done(null, loopback(all), ...all ? [] : [4]));
  };
  import_node_dns.default.lookup = lookup;
  const originalPromise = import_node_dns.default.promises.lookup;
  import_node_dns.default.promises.lookup = async (hostname, options) => {
    if (!hostnames.has(String(hostname).toLowerCase()))
      return originalPromise(hostname, options);
    return wantsAll(options) ? loopback(true) : { address: "127.0.0.1", family: 4 };
  };
}

// src/app/probe/port.ts
var import_node_net2 = __toESM(require("node:net"), 1);
function holdFirstServerToPort(port) {
  let isClaimed = false;
  const originalListen = import_node_net2.default.Server.prototype.listen;
  import_node_net2.default.Server.prototype.listen = function listen(...args) {
    const asked = isClaimed ? null : askedPort(args);
    if (asked !== null) {
      isClaimed = true;
      if (asked !== 0 && asked !== port) {
        process.stderr.write(
          `leakwatch: the app listens on port ${asked}, not on PORT (${port}); moved it to ${port} so both sides can run
`
        );
        return originalListen.apply(this, withPort(args, port));
      }
    }
    return originalListen.apply(this, args);
  };
}
function askedPort(args) {
  const [first] = args;
  if (first === void 0 || typeof first === "function") return 0;
  const value = typeof first === "object" && first !== null ? portOption(first) : first;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return null;
}
function portOption(options) {
  if ("path" in options && options.path) return null;
  return "port" in options ? options.port ?? 0 : null;
}
function withPort(args, port) {
  const [first, ...rest] = args;
  return typeof first === "object" && first !== null ? [{ ...first, port }, ...rest] : [port, ...rest];
}

// src/app/probe/probe.ts
var heartbeatIntervalMs = 250;
var socketPath = process.env[probeSocketEnv];
var outboundCounts = installNetworkRules(
  socketPath ? void 0 : (host) => process.stderr.write(`${blockedLinePrefix}${host}
`)
);
if (socketPath && import_node_worker_threads.isMainThread) installProbe(socketPath);
if (socketPath && process.env[appPortEnv]) holdFirstServerToPort(Number(process.env[appPortEnv]));
function installProbe(path) {
  let requestsSeen = 0;
  let isConnected = false;
  const requestStart = diagnosticsChannel.channel("http.server.request.start");
  requestStart.subscribe(() => {
    requestsSeen += 1;
    if (isConnected) return;
    isConnected = true;
    connect(path, () => requestsSeen, outboundCounts);
  });
  globalThis[/* @__PURE__ */ Symbol.for("leakwatch.probe.channel")] = requestStart;
}
function connect(path, requestsSeen, outbound) {
  const { collect, source } = resolveGc();
  const socket = net3.createConnection(path);
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
    send({
      type: "heartbeat",
      rssBytes: process.memoryUsage.rss(),
      requestsSeen: requestsSeen(),
      outbound: outbound()
    });
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
          collect();
          send({ type: "sample", id: command.id, memory: readMemory(requestsSeen()), outbound: outbound() });
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
  for (const type of process.getActiveResourcesInfo?.() ?? [])
    activeResources[type] = (activeResources[type] ?? 0) + 1;
  return {
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    arrayBuffersBytes: usage.arrayBuffers,
    rssBytes: usage.rss,
    v8UsedHeapBytes: v8.getHeapStatistics().used_heap_size,
    requestsSeen,
    activeResources,
    openFds: countOpenFds()
  };
}
function countOpenFds() {
  try {
    return (0, import_node_fs.readdirSync)("/proc/self/fd").length - 1;
  } catch {
    return null;
  }
}
