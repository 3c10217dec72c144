// The harness side of the probe channel: a unix socket in a fresh private temp dir, one per app.
// Each probed process of the app (Next 13.4 render workers, cluster workers) connects; samples are summed.
// The app writes to this channel, so every line is untrusted input: bounded, parsed defensively, counted.
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { giveTo, removeSandboxed, type SandboxUser } from '../process/isolation/sandbox.js';
import { LeakwatchError } from '../settings/errors.js';
import type { HarnessCommand, OutboundCount, ProbeMessage } from './probe/protocol.js';
import {
  maxMalformedLines,
  maxProbeLineBytes,
  parseProbeMessage,
  type SummedMemory,
  sumMemory,
} from './probe-message.js';

interface ProbeConnection {
  pid: number;
  socket: net.Socket;
  rssBytes: number;
  requestsSeen: number;
  gcSource: 'flag' | 'vm';
  outbound: OutboundCount[];
}

type Pending = {
  probe: ProbeConnection;
  resolve: (message: ProbeMessage) => void;
  reject: (error: Error) => void;
};

export class ProbeHub implements AsyncDisposable {
  readonly socketPath: string;
  private readonly dir: string;
  private readonly server: net.Server;
  private readonly probes = new Set<ProbeConnection>();
  private readonly pending = new Map<number, Pending>();
  private readonly connectWaiters = new Set<() => void>();
  /** Outbound counts of probed processes that have exited: their connections still happened. */
  private readonly exitedOutbound: OutboundCount[] = [];
  private nextId = 1;
  private readonly owner: SandboxUser | null;
  /** Lines that were not a valid probe message: ignored, and counted. */
  malformedLines = 0;
  /** Set once the channel misbehaved beyond what can be ignored; every later sample fails with it. */
  private failure: string | null = null;
  /** From the first probe's hello: the Node.js version the app runs on. */
  private firstNodeVersion: string | undefined;

  private constructor(dir: string, server: net.Server, owner: SandboxUser | null) {
    this.dir = dir;
    this.server = server;
    this.owner = owner;
    this.socketPath = join(dir, 's');
  }

  /**
   * A socket path must stay under ~104 bytes, so it lives in a short folder of its own under /tmp, never under
   * a long TMPDIR. `owner`: the sandbox user whose app connects.
   */
  static async open(owner: SandboxUser | null = null): Promise<ProbeHub> {
    const dir = await mkdtemp(join(process.platform === 'win32' ? tmpdir() : '/tmp', 'lwp-'));
    const hub: ProbeHub = new ProbeHub(
      dir,
      net.createServer((socket) => hub.accept(socket)),
      owner,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        hub.server.once('error', reject);
        hub.server.listen(hub.socketPath, resolve);
      });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw new LeakwatchError(
        'PROBE_SOCKET',
        `cannot listen on the probe socket ${hub.socketPath}: ${error}`,
        {
          hint: 'leakwatch needs a writable /tmp for its probe socket.',
        },
      );
    }
    if (owner) giveTo(owner, dir);
    return hub;
  }

  get nodeVersion(): string | undefined {
    return this.firstNodeVersion;
  }

  get processCount(): number {
    return this.probes.size;
  }

  /** Latest RSS reported by the probes' heartbeats, summed: what the RSS watchdog reads. */
  get rssBytes(): number {
    let total = 0;
    for (const probe of this.probes) total += probe.rssBytes;
    return total;
  }

  /** Outbound connections per non-loopback host, summed over every probed process so far. */
  get outbound(): OutboundCount[] {
    const byHost = new Map<string, OutboundCount>();
    for (const entry of [...this.exitedOutbound, ...[...this.probes].flatMap((probe) => probe.outbound)]) {
      const known = byHost.get(entry.host);
      if (known) known.connections += entry.connections;
      else byHost.set(entry.host, { ...entry });
    }
    return [...byHost.values()].sort((a, b) => b.connections - a.connections);
  }

  async waitForProbe(timeoutMs: number): Promise<void> {
    if (this.probes.size > 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.connectWaiters.delete(done);
        // A broken channel hides the probe's hello: that, not a missing probe, is the error to report.
        if (this.failure !== null) {
          try {
            this.throwIfFailed();
          } catch (error) {
            reject(error);
            return;
          }
        }
        reject(
          new LeakwatchError(
            'PROBE_MISSING',
            `no probe connected within ${timeoutMs} ms of the app becoming ready`,
            {
              hint: 'The start command must run node with NODE_OPTIONS intact (leakwatch preloads its probe through it). Wrappers that reset NODE_OPTIONS, or a server that is not Node.js, cannot be measured.',
            },
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.connectWaiters.add(done);
    });
  }

  /** Forces a full GC in every probed process and returns their memory, summed. */
  async sample(timeoutMs = 30_000): Promise<SummedMemory> {
    this.throwIfFailed();
    const replies = await this.broadcast((id) => ({ type: 'sample', id }), timeoutMs);
    return sumMemory(replies);
  }

  /** Writes one heap snapshot per probed process into `dir`; returns their paths. */
  async writeSnapshots(dir: string, name: string, timeoutMs = 300_000): Promise<string[]> {
    this.throwIfFailed();
    const paths: string[] = [];
    await this.broadcast((id) => {
      const path = join(dir, `${name}-${paths.length}.heapsnapshot`);
      paths.push(path);
      return { type: 'snapshot', id, path };
    }, timeoutMs);
    // The paths asked for, never the ones the app answers with: leakwatch must not read a file the app names.
    return paths;
  }

  private throwIfFailed(): void {
    if (this.failure === null) return;
    throw new LeakwatchError('PROBE_CHANNEL', `the app's probe channel misbehaved: ${this.failure}`, {
      hint: "Something in the app writes to leakwatch's probe socket (LEAKWATCH_PROBE_SOCKET); leave it alone.",
    });
  }

  private misbehaved(reason: string, socket: net.Socket): void {
    this.failure ??= reason;
    socket.destroy();
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new LeakwatchError('PROBE_CHANNEL', `the app's probe channel misbehaved: ${reason}`));
    }
  }

  private async broadcast(
    makeCommand: (id: number) => HarnessCommand,
    timeoutMs: number,
  ): Promise<ProbeMessage[]> {
    if (this.probes.size === 0) {
      throw new LeakwatchError('PROBE_MISSING', 'no probed process is connected (the app may have exited)');
    }
    const requests = [...this.probes].map((probe) => {
      const command = makeCommand(this.nextId++);
      return new Promise<ProbeMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(command.id);
          reject(
            new LeakwatchError(
              'PROBE_TIMEOUT',
              `probe in pid ${probe.pid} did not answer '${command.type}' within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        this.pending.set(command.id, {
          probe,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        probe.socket.write(`${JSON.stringify(command)}\n`);
      });
    });
    const replies = await Promise.all(requests);
    const failure = replies.find((reply) => reply.type === 'failure');
    if (failure?.type === 'failure')
      throw new LeakwatchError('PROBE_FAILURE', `the probe failed: ${failure.message}`);
    return replies;
  }

  private accept(socket: net.Socket): void {
    let probe: ProbeConnection | undefined;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0 && this.failure === null) {
        const message = parseProbeMessage(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (message === null) {
          this.malformedLines += 1;
          if (this.malformedLines > maxMalformedLines)
            this.misbehaved(`more than ${maxMalformedLines} malformed lines`, socket);
          continue;
        }
        if (message.type === 'hello') {
          probe = {
            pid: message.pid,
            socket,
            rssBytes: 0,
            requestsSeen: 0,
            gcSource: message.gcSource,
            outbound: [],
          };
          this.firstNodeVersion ??= message.nodeVersion;
          this.probes.add(probe);
          for (const waiter of this.connectWaiters) waiter();
          this.connectWaiters.clear();
        } else if (message.type === 'heartbeat' && probe) {
          probe.rssBytes = message.rssBytes;
          probe.requestsSeen = message.requestsSeen;
          probe.outbound = message.outbound ?? [];
        } else if ('id' in message) {
          if (message.type === 'sample' && probe) probe.outbound = message.outbound ?? [];
          this.pending.get(message.id)?.resolve(message);
          this.pending.delete(message.id);
        }
      }
      if (this.failure === null && buffered.length > maxProbeLineBytes)
        this.misbehaved(`a line longer than ${maxProbeLineBytes} bytes`, socket);
    });
    const forget = () => {
      if (!probe || !this.probes.has(probe)) return;
      this.probes.delete(probe);
      this.exitedOutbound.push(...probe.outbound);
      for (const [id, pending] of this.pending) {
        if (pending.probe !== probe) continue;
        this.pending.delete(id);
        pending.reject(
          new LeakwatchError('PROBE_CLOSED', `the probed process ${probe.pid} exited while being sampled`),
        );
      }
    };
    socket.on('close', forget);
    socket.on('error', forget);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const probe of this.probes) probe.socket.destroy();
    for (const pending of this.pending.values())
      pending.reject(new LeakwatchError('PROBE_CLOSED', 'the probe channel closed'));
    this.pending.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.owner) removeSandboxed(this.dir);
    else await rm(this.dir, { recursive: true, force: true });
  }
}
