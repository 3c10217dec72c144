// Preloaded into the app under test with `NODE_OPTIONS=--require dist/probe.cjs`.
// NODE_OPTIONS reaches every node process the start command spawns (npm itself, build workers...), so the probe
// stays inert until its process serves an HTTP request: only then does it connect to the harness.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { readdirSync } from 'node:fs';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { blockedLinePrefix } from '../../model/outbound.js';
import { installNetworkRules } from './network.js';
import { holdFirstServerToPort } from './port.js';
import {
  appPortEnv,
  type HarnessCommand,
  type OutboundCount,
  type ProbeMemory,
  type ProbeMessage,
  probeSocketEnv,
} from './protocol.js';

const heartbeatIntervalMs = 250;
const socketPath = process.env[probeSocketEnv];

// Outbound rules hold in every process and thread from the first line of app code on, served or not. Without a
// harness (a build), each blocked host is said once in the process's own log, where the build's failure hint
// finds it.
const outboundCounts = installNetworkRules(
  socketPath ? undefined : (host) => process.stderr.write(`${blockedLinePrefix}${host}\n`),
);
if (socketPath && isMainThread) installProbe(socketPath);
if (socketPath && process.env[appPortEnv]) holdFirstServerToPort(Number(process.env[appPortEnv]));

function installProbe(path: string): void {
  let requestsSeen = 0;
  let isConnected = false;
  // A module-level reference keeps the channel (and so the subscription) alive on Node versions that hold
  // channels weakly.
  const requestStart = diagnosticsChannel.channel('http.server.request.start');
  requestStart.subscribe(() => {
    requestsSeen += 1;
    if (isConnected) return;
    isConnected = true;
    connect(path, () => requestsSeen, outboundCounts);
  });
  (globalThis as Record<symbol, unknown>)[Symbol.for('leakwatch.probe.channel')] = requestStart;
}

function connect(path: string, requestsSeen: () => number, outbound: () => OutboundCount[]): void {
  const { collect, source } = resolveGc();
  const socket = net.createConnection(path);
  // The probe must never keep the app alive.
  socket.unref();
  socket.on('error', () => socket.destroy());
  const send = (message: ProbeMessage) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  send({
    type: 'hello',
    pid: process.pid,
    ppid: process.ppid,
    nodeVersion: process.version,
    gcSource: source,
  });

  const heartbeat = setInterval(() => {
    send({
      type: 'heartbeat',
      rssBytes: process.memoryUsage.rss(),
      requestsSeen: requestsSeen(),
      outbound: outbound(),
    });
  }, heartbeatIntervalMs);
  heartbeat.unref();
  socket.on('close', () => clearInterval(heartbeat));

  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      handle(JSON.parse(line) as HarnessCommand);
      newline = buffered.indexOf('\n');
    }
  });

  function handle(command: HarnessCommand): void {
    // setImmediate lets callbacks of the last responses run before the heap is measured.
    setImmediate(() => {
      try {
        if (command.type === 'sample') {
          // V8 frees dead ArrayBuffers' memory on a background sweeper after a GC, so one GC left `external`
          // up to 750 KB high (a Next.js app's samples scattered ±150 KB, ±20 KB after two).
          collect();
          collect();
          send({ type: 'sample', id: command.id, memory: readMemory(requestsSeen()), outbound: outbound() });
        } else {
          v8.writeHeapSnapshot(command.path);
          send({ type: 'snapshot', id: command.id, path: command.path });
        }
      } catch (error) {
        send({ type: 'failure', id: command.id, message: String(error) });
      }
    });
  }
}

function resolveGc(): { collect: () => void; source: 'flag' | 'vm' } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { collect: exposed, source: 'flag' };
  // Node < 20.18 / 22.3 rejects --expose-gc in NODE_OPTIONS; setting the flag late exposes gc to new contexts.
  v8.setFlagsFromString('--expose-gc');
  return { collect: vm.runInNewContext('gc') as () => void, source: 'vm' };
}

function readMemory(requestsSeen: number): ProbeMemory {
  const usage = process.memoryUsage();
  const activeResources: Record<string, number> = {};
  // Node.js < 16.14 has no getActiveResourcesInfo: those apps are measured without the handle counts.
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
    openFds: countOpenFds(),
  };
}

function countOpenFds(): number | null {
  try {
    // Reading the folder opens one descriptor of its own.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}
