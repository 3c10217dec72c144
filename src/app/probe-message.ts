// Lines from the probe socket come from inside the app under test: untrusted. A line is accepted only when it is
// a well-formed probe message; anything else is ignored (and counted by the hub), never thrown.
import type { ProbeMemory, ProbeMessage } from './probe/protocol.js';

/** A sample with hundreds of active-resource types is a few KB; a line beyond this is not the probe's. */
export const maxProbeLineBytes = 1024 * 1024;
/** A few stray writes are tolerated; beyond this the channel is broken and the side is an error. */
export const maxMalformedLines = 100;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

function isMemory(value: unknown): value is ProbeMemory {
  if (typeof value !== 'object' || value === null) return false;
  const memory = value as Record<string, unknown>;
  const counts = ['heapUsedBytes', 'externalBytes', 'arrayBuffersBytes', 'rssBytes', 'v8UsedHeapBytes'];
  if (!counts.every((key) => isCount(memory[key])) || !isCount(memory.requestsSeen)) return false;
  const resources = memory.activeResources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) return false;
  const entries = Object.entries(resources);
  return entries.length <= 200 && entries.every(([, count]) => isCount(count));
}

/** The message on this line, or null when it is not one. */
export function parseProbeMessage(line: string): ProbeMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'hello':
      return Number.isInteger(message.pid) && (message.gcSource === 'flag' || message.gcSource === 'vm')
        ? (message as ProbeMessage)
        : null;
    case 'heartbeat':
      return isCount(message.rssBytes) && isCount(message.requestsSeen) ? (message as ProbeMessage) : null;
    case 'sample':
      return Number.isInteger(message.id) && isMemory(message.memory) ? (message as ProbeMessage) : null;
    case 'snapshot':
      return Number.isInteger(message.id) ? (message as ProbeMessage) : null;
    case 'failure':
      return Number.isInteger(message.id) && typeof message.message === 'string'
        ? { type: 'failure', id: message.id as number, message: message.message.slice(0, 2000) }
        : null;
    default:
      return null;
  }
}

export interface SummedMemory extends ProbeMemory {
  processCount: number;
}

/** The app's memory: every probed process's sample added up (descriptors only when every process counts them). */
export function sumMemory(replies: readonly ProbeMessage[]): SummedMemory {
  const total: SummedMemory = {
    heapUsedBytes: 0,
    externalBytes: 0,
    arrayBuffersBytes: 0,
    rssBytes: 0,
    v8UsedHeapBytes: 0,
    requestsSeen: 0,
    activeResources: {},
    openFds: 0,
    processCount: 0,
  };
  for (const reply of replies) {
    if (reply.type !== 'sample') continue;
    const memory = reply.memory;
    total.heapUsedBytes += memory.heapUsedBytes;
    total.externalBytes += memory.externalBytes;
    total.arrayBuffersBytes += memory.arrayBuffersBytes;
    total.rssBytes += memory.rssBytes;
    total.v8UsedHeapBytes += memory.v8UsedHeapBytes;
    total.requestsSeen += memory.requestsSeen;
    for (const [type, count] of Object.entries(memory.activeResources)) {
      total.activeResources[type] = (total.activeResources[type] ?? 0) + count;
    }
    total.openFds = total.openFds === null || memory.openFds === null ? null : total.openFds + memory.openFds;
    total.processCount += 1;
  }
  return total;
}
