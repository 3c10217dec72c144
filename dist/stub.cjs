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

// src/app/upstream/stub-server.ts
var import_node_http2 = require("node:http");
var import_node_https2 = require("node:https");

// src/app/upstream/fixture-files.ts
var import_promises = require("node:fs/promises");
var import_node_path = __toESM(require("node:path"), 1);
var unsafe = /[%\\:*?"<>|]/g;
var escaped = /%(25|5C|3A|2A|3F|22|3C|3E|7C)/gi;
function fixtureFileFor(key) {
  const [pathname = "/", ...query] = key.split("?");
  const segments = (pathname === "/" ? "/index" : pathname).split("/").slice(1).map(escapeName);
  const last = segments.pop() ?? "index";
  const withQuery = query.length > 0 ? `${last}%3F${escapeName(query.join("?"))}` : last;
  return [...segments, `${withQuery}.json`].join("/");
}
async function loadFixtures(dir) {
  const fixtures = /* @__PURE__ */ new Map();
  for (const entry of await (0, import_promises.readdir)(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".json")) continue;
    const file = import_node_path.default.join(entry.parentPath, entry.name);
    const [routePath = "", query] = import_node_path.default.relative(dir, file).split(import_node_path.default.sep).join("/").replace(/\.json$/, "").split("%3F");
    const route = `/${routePath}`.replace(/(^|\/)index$/, "").replace(escaped, unescapeOne) || "/";
    const key = query === void 0 ? route : `${route}?${query.replace(escaped, unescapeOne)}`;
    fixtures.set(key, { body: await (0, import_promises.readFile)(file), ...await readHead(`${file}.headers`) });
  }
  return fixtures;
}
async function readHead(file) {
  try {
    const head = JSON.parse(await (0, import_promises.readFile)(file, "utf8"));
    return { status: head.status ?? 200, headers: head.headers ?? {} };
  } catch {
    return { status: 200, headers: {} };
  }
}
function escapeName(name) {
  return name.replace(unsafe, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
function unescapeOne(match) {
  return String.fromCharCode(Number.parseInt(match.slice(1), 16));
}

// src/app/upstream/recorder.ts
var import_promises2 = require("node:fs/promises");
var import_node_http = __toESM(require("node:http"), 1);
var import_node_https = __toESM(require("node:https"), 1);
var import_node_path2 = __toESM(require("node:path"), 1);

// node_modules/pure-rand/lib/esm/distribution/uniformInt.js
function uniformIntInternal(rng, rangeSize) {
  const MaxAllowed = rangeSize > 2 ? ~~(4294967296 / rangeSize) * rangeSize : 4294967296;
  let deltaV = rng.next() + 2147483648;
  while (deltaV >= MaxAllowed) deltaV = rng.next() + 2147483648;
  return deltaV % rangeSize;
}
function fromNumberToArrayInt64(out, n) {
  if (n < 0) {
    const posN = -n;
    out.sign = -1;
    out.data[0] = ~~(posN / 4294967296);
    out.data[1] = posN >>> 0;
  } else {
    out.sign = 1;
    out.data[0] = ~~(n / 4294967296);
    out.data[1] = n >>> 0;
  }
  return out;
}
function substractArrayInt64(out, arrayIntA, arrayIntB) {
  const lowA = arrayIntA.data[1];
  const highA = arrayIntA.data[0];
  const signA = arrayIntA.sign;
  const lowB = arrayIntB.data[1];
  const highB = arrayIntB.data[0];
  const signB = arrayIntB.sign;
  out.sign = 1;
  if (signA === 1 && signB === -1) {
    const low2 = lowA + lowB;
    const high = highA + highB + (low2 > 4294967295 ? 1 : 0);
    out.data[0] = high >>> 0;
    out.data[1] = low2 >>> 0;
    return out;
  }
  let lowFirst = lowA;
  let highFirst = highA;
  let lowSecond = lowB;
  let highSecond = highB;
  if (signA === -1) {
    lowFirst = lowB;
    highFirst = highB;
    lowSecond = lowA;
    highSecond = highA;
  }
  let reminderLow = 0;
  let low = lowFirst - lowSecond;
  if (low < 0) {
    reminderLow = 1;
    low = low >>> 0;
  }
  out.data[0] = highFirst - highSecond - reminderLow;
  out.data[1] = low;
  return out;
}
function uniformArrayIntInternal(rng, out, rangeSize) {
  const maxIndex0 = rangeSize[0] + 1;
  out[0] = uniformIntInternal(rng, maxIndex0);
  out[1] = uniformIntInternal(rng, 4294967296);
  while (out[0] >= rangeSize[0] && (out[0] !== rangeSize[0] || out[1] >= rangeSize[1])) {
    out[0] = uniformIntInternal(rng, maxIndex0);
    out[1] = uniformIntInternal(rng, 4294967296);
  }
  return out;
}
var safeNumberMaxSafeInteger = Number.MAX_SAFE_INTEGER;
var sharedA = {
  sign: 1,
  data: [0, 0]
};
var sharedB = {
  sign: 1,
  data: [0, 0]
};
var sharedC = {
  sign: 1,
  data: [0, 0]
};
var sharedData = [0, 0];
function uniformLargeIntInternal(rng, from, to, rangeSize) {
  const rangeSizeArrayIntValue = rangeSize <= safeNumberMaxSafeInteger ? fromNumberToArrayInt64(sharedC, rangeSize) : substractArrayInt64(sharedC, fromNumberToArrayInt64(sharedA, to), fromNumberToArrayInt64(sharedB, from));
  if (rangeSizeArrayIntValue.data[1] === 4294967295) {
    rangeSizeArrayIntValue.data[0] += 1;
    rangeSizeArrayIntValue.data[1] = 0;
  } else rangeSizeArrayIntValue.data[1] += 1;
  uniformArrayIntInternal(rng, sharedData, rangeSizeArrayIntValue.data);
  return sharedData[0] * 4294967296 + sharedData[1] + from;
}
function uniformInt(rng, from, to) {
  const rangeSize = to - from;
  if (rangeSize <= 4294967295) return uniformIntInternal(rng, rangeSize + 1) + from;
  return uniformLargeIntInternal(rng, from, to, rangeSize);
}

// node_modules/pure-rand/lib/esm/generator/xoroshiro128plus.js
var jumps = [
  3639956645,
  3750757012,
  1261568508,
  386426335
];
var XoroShiro128Plus = class XoroShiro128Plus2 {
  constructor(s01, s00, s11, s10) {
    this.s01 = s01;
    this.s00 = s00;
    this.s11 = s11;
    this.s10 = s10;
  }
  clone() {
    return new XoroShiro128Plus2(this.s01, this.s00, this.s11, this.s10);
  }
  next() {
    const out = this.s00 + this.s10 | 0;
    const a0 = this.s10 ^ this.s00;
    const a1 = this.s11 ^ this.s01;
    const s00 = this.s00;
    const s01 = this.s01;
    this.s00 = s00 << 24 ^ s01 >>> 8 ^ a0 ^ a0 << 16;
    this.s01 = s01 << 24 ^ s00 >>> 8 ^ a1 ^ (a1 << 16 | a0 >>> 16);
    this.s10 = a1 << 5 ^ a0 >>> 27;
    this.s11 = a0 << 5 ^ a1 >>> 27;
    return out;
  }
  jump() {
    let ns01 = 0;
    let ns00 = 0;
    let ns11 = 0;
    let ns10 = 0;
    let s01 = this.s01;
    let s00 = this.s00;
    let s11 = this.s11;
    let s10 = this.s10;
    for (let i = 0; i !== 4; ++i) {
      const ji = jumps[i];
      for (let mask = 1; mask; mask <<= 1) {
        if (ji & mask) {
          ns01 ^= s01;
          ns00 ^= s00;
          ns11 ^= s11;
          ns10 ^= s10;
        }
        const a0 = s10 ^ s00;
        const a1 = s11 ^ s01;
        const s00_ = s00;
        const s01_ = s01;
        s00 = s00_ << 24 ^ s01_ >>> 8 ^ a0 ^ a0 << 16;
        s01 = s01_ << 24 ^ s00_ >>> 8 ^ a1 ^ (a1 << 16 | a0 >>> 16);
        s10 = a1 << 5 ^ a0 >>> 27;
        s11 = a0 << 5 ^ a1 >>> 27;
      }
    }
    this.s01 = ns01;
    this.s00 = ns00;
    this.s11 = ns11;
    this.s10 = ns10;
  }
  getState() {
    return [
      this.s01,
      this.s00,
      this.s11,
      this.s10
    ];
  }
};
function xoroshiro128plus(seed) {
  return new XoroShiro128Plus(-1, ~seed, seed | 0, 0);
}

// src/scenario/template.ts
var TemplateError = class extends Error {
  offset;
  constructor(message, offset) {
    super(message);
    this.name = "TemplateError";
    this.offset = offset;
  }
};
var templateFunctions = ["seq", "random:N", "pick:a,b,...", "repeat:text:N", "uuid"];
var maxRandomLength = 4096;
var maxRepeatCount = 1e5;
var alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
var alphanumericPairs = [...alphabet].flatMap((first) => [...alphabet].map((second) => first + second));
var lastPair = alphanumericPairs.length - 1;
var hexBytes = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
function compileTemplate(source) {
  const parts = [];
  const pattern = /\{\{(.*?)\}\}/g;
  let literalStart = 0;
  for (let match = pattern.exec(source); match !== null; match = pattern.exec(source)) {
    pushLiteral(parts, source.slice(literalStart, match.index), literalStart);
    parts.push(compileFunction((match[1] ?? "").trim(), match.index));
    literalStart = match.index + match[0].length;
  }
  pushLiteral(parts, source.slice(literalStart), literalStart);
  const merged = mergeLiterals(parts);
  if (merged.every((part) => typeof part === "string")) {
    const value = merged.join("");
    return { expand: () => value };
  }
  if (merged.length === 1) {
    const only = merged[0];
    return { expand: only };
  }
  return {
    expand(context) {
      let result = "";
      for (const part of merged) result += typeof part === "string" ? part : part(context);
      return result;
    }
  };
}
function pushLiteral(parts, literal, offset) {
  const unclosed = literal.indexOf("{{");
  if (unclosed !== -1) {
    throw new TemplateError('"{{" is never closed with "}}"', offset + unclosed);
  }
  if (literal !== "") parts.push(literal);
}
function mergeLiterals(parts) {
  const merged = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (typeof part === "string" && typeof last === "string") merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged;
}
function compileFunction(expression, offset) {
  const colon = expression.indexOf(":");
  const name = colon === -1 ? expression : expression.slice(0, colon);
  const argument = colon === -1 ? void 0 : expression.slice(colon + 1);
  const fail = (problem) => {
    throw new TemplateError(`{{${expression}}}: ${problem}`, offset);
  };
  const noArgument = () => {
    if (argument !== void 0) fail(`${name} takes no argument`);
  };
  switch (name) {
    case "seq":
      noArgument();
      return (context) => String(context.seq);
    case "uuid":
      noArgument();
      return (context) => uuid(context.rng);
    case "random": {
      const length = parseCount(argument, maxRandomLength, fail);
      return (context) => randomAlphanumerics(context.rng, length);
    }
    case "pick": {
      const options = argument?.split(",") ?? [];
      if (argument === void 0 || options.some((option) => option === "")) {
        fail("pick needs a comma-separated list of non-empty values, e.g. {{pick:a,b,c}}");
      }
      if (options.length === 1) return options[0];
      const last = options.length - 1;
      return (context) => options[uniformInt(context.rng, 0, last)];
    }
    case "repeat": {
      const countAt = argument?.lastIndexOf(":") ?? -1;
      const text = argument?.slice(0, countAt) ?? "";
      if (argument === void 0 || countAt < 1)
        fail("repeat needs text and a count, e.g. {{repeat:ab:500}}");
      return text.repeat(parseCount(argument?.slice(countAt + 1), maxRepeatCount, fail));
    }
    default:
      return fail(`unknown function "${name}"; allowed: ${templateFunctions.join(", ")}`);
  }
}
function parseCount(text, max, fail) {
  if (text === void 0 || !/^\d+$/.test(text.trim()))
    return fail(`N must be a whole number from 1 to ${max}`);
  const count = Number(text.trim());
  if (count < 1 || count > max) return fail(`N must be a whole number from 1 to ${max} (got ${count})`);
  return count;
}
function randomAlphanumerics(rng, length) {
  let result = "";
  for (let i = 1; i < length; i += 2) result += alphanumericPairs[uniformInt(rng, 0, lastPair)];
  if (length % 2 === 1) result += alphabet[uniformInt(rng, 0, alphabet.length - 1)];
  return result;
}
function uuid(rng) {
  const a = hex32(rng.next());
  const b = hex32(rng.next() & 4294905855 | 16384);
  const c = hex32(rng.next() & 1073741823 | 2147483648);
  const d = hex32(rng.next());
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}
function hex32(value) {
  return hexBytes[value >>> 24 & 255] + hexBytes[value >>> 16 & 255] + hexBytes[value >>> 8 & 255] + hexBytes[value & 255];
}

// src/app/upstream/stub-handler.ts
var stubTlsEnv = "LEAKWATCH_STUB_TLS";
var maxMissedPathsCounted = 200;
var maxMissedPathsReported = 5;
var StubTally = class {
  constructor(source) {
    this.source = source;
  }
  source;
  answered = 0;
  misses = 0;
  missed = /* @__PURE__ */ new Map();
  countMiss(key) {
    this.misses += 1;
    const count = this.missed.get(key);
    if (count !== void 0) this.missed.set(key, count + 1);
    else if (this.missed.size < maxMissedPathsCounted) this.missed.set(key, 1);
  }
  topMisses() {
    return [...this.missed].sort((a, b) => b[1] - a[1]).slice(0, maxMissedPathsReported).map(([path3, count]) => ({
      path: path3.slice(0, 500),
      count,
      file: fixtureFileFor(path3).slice(0, 500)
    }));
  }
};
function stubSource(config) {
  if (config.record) return "record";
  if (config.echo) return "echo";
  if (config.fixturesDir !== void 0) return "fixtures";
  if (config.shape !== void 0) return "shape";
  return config.template === void 0 ? "synthetic" : "template";
}
var defaultResponseBytes = 1024;
var latencySeed = 20240601;
function createStubHandler(config, fixtures, tally) {
  const nextLatencyMs = latencyDrawer(config.latencyMs);
  const template = config.template === void 0 ? void 0 : compileTemplate(config.template);
  const templateContext = { rng: xoroshiro128plus(latencySeed + 1), seq: 0 };
  const synthetic = config.shape === void 0 ? syntheticJson(config.responseBytes ?? defaultResponseBytes) : shapedJson(config.shape, config.responseBytes ?? 0);
  return (request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const answer = () => {
        if (fixtures && !config.echo) {
          answerFromFixtures(fixtures, request, response, { config, tally });
          return;
        }
        tally.answered += 1;
        if (config.echo) {
          const body = Buffer.concat(chunks).toString("utf8");
          send(
            response,
            200,
            JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body })
          );
        } else if (template) {
          templateContext.seq += 1;
          send(response, 200, template.expand(templateContext));
        } else {
          send(response, 200, synthetic);
        }
      };
      const delayMs = nextLatencyMs();
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  };
}
function answerFromFixtures(fixtures, request, response, context) {
  const url = request.url ?? "/";
  const fixture = fixtures.get(fixtureKey(url, true)) ?? fixtures.get(fixtureKey(url));
  if (!fixture) {
    context.tally.countMiss(fixtureKey(url, true));
    send(response, 404, JSON.stringify({ error: `no fixture for ${url}`, stub: context.config.name }));
    return;
  }
  context.tally.answered += 1;
  send(response, fixture.status, fixture.body, fixture.headers);
}
function fixtureKey(url, withQuery = false) {
  const [rawPath = "/", ...query] = url.split("?");
  const pathname = decodeURIComponent(rawPath);
  const key = pathname.length > 1 ? pathname.replace(/\/+$/, "") : "/";
  return withQuery && query.length > 0 ? `${key}?${query.join("?")}` : key;
}
function send(response, status, body, headers = {}) {
  response.writeHead(status, {
    "content-type": "application/json",
    ...headers,
    "content-length": Buffer.byteLength(body)
  });
  response.end(body);
}
function shapedJson(shape, sizeBytes) {
  const json = JSON.stringify(shape);
  const isObject = typeof shape === "object" && shape !== null && !Array.isArray(shape);
  const room = sizeBytes - Buffer.byteLength(json) - ',"padding":""'.length;
  if (!isObject || room <= 0) return Buffer.from(json);
  return Buffer.from(JSON.stringify({ ...shape, padding: "x".repeat(room) }));
}
function latencyDrawer(latencyMs) {
  if (latencyMs === void 0) return () => 0;
  if (typeof latencyMs === "number") return () => latencyMs;
  const rng = xoroshiro128plus(latencySeed);
  const [minMs, maxMs] = latencyMs.map(Math.round);
  return () => uniformInt(rng, minMs, maxMs);
}
function syntheticJson(sizeBytes) {
  const head = '{"items":[';
  const tail = '],"padding":""}';
  const items = [];
  let lengthBytes = head.length + tail.length;
  for (let id = 0; ; id++) {
    const item = `${id === 0 ? "" : ","}{"id":${id},"name":"item-${id}","tags":["a","b"],"score":${id * 7919 % 1e3}}`;
    if (lengthBytes + item.length > sizeBytes) break;
    items.push(item);
    lengthBytes += item.length;
  }
  return Buffer.from(`${head}${items.join("")}],"padding":"${"x".repeat(sizeBytes - lengthBytes)}"}`);
}

// src/app/upstream/recorder.ts
var hopByHop = /* @__PURE__ */ new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "upgrade",
  "proxy-connection",
  "date"
]);
var secretLooking = /^(set-cookie|cookie|authorization|proxy-authorization|www-authenticate)$|token|secret|key|auth|session|signature|credential|password|csrf|xsrf/i;
function createRecordingHandler(config, isTls, tell) {
  const origins = new Set(config.origins.map((origin) => new URL(origin).origin));
  return (request, response) => {
    const url = request.url ?? "/";
    const origin = safeOrigin(`${isTls ? "https" : "http"}://${request.headers.host ?? ""}`);
    if (!origin || !origins.has(origin)) {
      tell({ type: "not-recorded", url, reason: `${origin ?? "no Host"} is not a declared host` });
      response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `leakwatch record: ${origin} is not a declared host` }));
      return;
    }
    const target = new URL(url, origin);
    const forwarded = (target.protocol === "https:" ? import_node_https.default : import_node_http.default).request(
      target,
      {
        method: request.method,
        headers: { ...withoutHopByHop(request.headers), "accept-encoding": "identity" }
      },
      (answer) => relay(answer, response, { url: `${origin}${url}`, key: fixtureKey(url, true), config, tell })
    );
    forwarded.on("error", (error) => {
      tell({ type: "not-recorded", url: `${origin}${url}`, reason: error.message });
      if (!response.headersSent) response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `leakwatch record: ${error.message}` }));
    });
    request.pipe(forwarded);
  };
}
function relay(answer, response, context) {
  const headers = withoutHopByHop(answer.headers);
  response.writeHead(answer.statusCode ?? 502, headers);
  const chunks = [];
  let bytes = 0;
  answer.on("data", (chunk) => {
    bytes += chunk.length;
    if (bytes <= context.config.maxBytes) chunks.push(chunk);
    response.write(chunk);
  });
  answer.on("end", () => {
    response.end();
    if (bytes > context.config.maxBytes) {
      const reason = `${bytes} bytes is above the ${context.config.maxBytes}-byte fixture cap`;
      context.tell({ type: "not-recorded", url: context.url, reason });
      return;
    }
    const file = fixtureFileFor(context.key);
    const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !secretLooking.test(name)));
    void writeFixture(context.config.dir, file, Buffer.concat(chunks), {
      status: answer.statusCode ?? 200,
      headers: kept
    }).then(
      () => context.tell({ type: "recorded", url: context.url, file, status: answer.statusCode ?? 0, bytes }),
      (error) => context.tell({ type: "not-recorded", url: context.url, reason: error.message })
    );
  });
}
async function writeFixture(dir, file, body, head) {
  const target = import_node_path2.default.join(dir, file);
  await (0, import_promises2.mkdir)(import_node_path2.default.dirname(target), { recursive: true });
  await (0, import_promises2.writeFile)(target, body);
  await (0, import_promises2.writeFile)(`${target}.headers`, `${JSON.stringify(head, null, 2)}
`);
}
function withoutHopByHop(headers) {
  const kept = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === void 0 || hopByHop.has(name) || name === "host") continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
function safeOrigin(text) {
  try {
    return new URL(text).origin;
  } catch {
    return void 0;
  }
}

// src/app/upstream/stub-server.ts
async function main() {
  const config = JSON.parse(process.argv[2] ?? "{}");
  const tls = process.env[stubTlsEnv] ? JSON.parse(process.env[stubTlsEnv]) : void 0;
  delete process.env[stubTlsEnv];
  const fixtures = config.fixturesDir === void 0 || config.record ? void 0 : await loadFixtures(config.fixturesDir);
  let requests = 0;
  const tally = new StubTally(stubSource(config));
  const handlerFor = (isTls) => {
    const handle = config.record ? createRecordingHandler(config.record, isTls, (message) => process.send?.(message)) : createStubHandler(config, fixtures, tally);
    return (request, response) => {
      requests += 1;
      handle(request, response);
    };
  };
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
  process.on("message", (message) => {
    if (message.type !== "hits") return;
    const { source, answered, misses } = tally;
    process.send?.({
      type: "hits",
      requests,
      source,
      answered,
      misses,
      missedPaths: tally.topMisses()
    });
  });
  const port = await listen((0, import_node_http2.createServer)(handlerFor(false)));
  const tlsPort = tls ? await listen((0, import_node_https2.createServer)({ cert: tls.cert, key: tls.key }, handlerFor(true))) : void 0;
  process.send?.({ type: "listening", port, ...tlsPort ? { tlsPort } : {} });
}
function listen(server) {
  server.keepAliveTimeout = 6e4;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}
main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}
`);
  process.exit(1);
});
