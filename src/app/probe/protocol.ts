// Newline-delimited JSON spoken between the probe (inside the app) and the harness (leakwatch).

/** Env variable that carries the harness's unix socket path into the app; absent means the probe stays inert. */
export const probeSocketEnv = 'LEAKWATCH_PROBE_SOCKET';

export interface ProbeMemory {
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  rssBytes: number;
  v8UsedHeapBytes: number;
  requestsSeen: number;
  activeResources: Record<string, number>;
}

export type HarnessCommand = { type: 'sample'; id: number } | { type: 'snapshot'; id: number; path: string };

export type ProbeMessage =
  | { type: 'hello'; pid: number; ppid: number; nodeVersion: string; gcSource: 'flag' | 'vm' }
  | { type: 'heartbeat'; rssBytes: number; requestsSeen: number }
  | { type: 'sample'; id: number; memory: ProbeMemory }
  | { type: 'snapshot'; id: number; path: string }
  | { type: 'failure'; id: number; message: string };
