// Shared by the network tests: running the bundled CLI, a server on this machine's non-loopback address standing
// in for the internet, and the JSON report's types.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { MeasuredCompareReport, MeasureReport } from '../../src/model/report.js';

export const projectRoot = join(import.meta.dirname, '..', '..');
export const cliPath = join(projectRoot, 'dist', 'cli.js');

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ exitCode, stdout, stderr });
    });
  });
}

export const parseMeasure = (run: CliRun) => JSON.parse(run.stdout) as MeasureReport;
export const parseCompare = (run: CliRun) => JSON.parse(run.stdout) as MeasuredCompareReport;

/** This machine's first non-internal IPv4 address: a host leakwatch treats as the outside world. */
export function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

/** An HTTP server that counts the requests it gets, on `host` (port chosen by the OS). */
export async function countingServer(host: string, answer = '{"ok":true}') {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer);
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    server,
  };
}

/** Small runs: these tests are about traffic, not about telling a leak from noise. */
export const quickLoad = [
  '--warmup',
  '100',
  '--requests',
  '100',
  '--rounds',
  '2',
  '--settle-ms',
  '0',
  '--heap-snapshots',
  'never',
  '--connections',
  '4',
];
