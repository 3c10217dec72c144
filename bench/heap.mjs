// Benchmark of the heap-snapshot diff (src/explain/heap) on generated snapshots of 10, 100 and 300 MB.
// Each size: a child Node process builds a heap and writes 3 snapshots with a leak between them; the
// analysis then runs in its own child so its peak RSS (resourceUsage().maxRSS) is its alone.
// If memlab is installed in LEAKWATCH_MEMLAB_DIR (default /tmp/memlab-bench), it runs on the same files.
// A last case is a module-level linked list of LEAKWATCH_BENCH_HEAP_LIST_NODES (default 1000000, 0 skips)
// one-property nodes growing by 32 a request: the shape that once made the dominator pass quadratic.
// Env: LEAKWATCH_BENCH_HEAP_SIZES_MB="10,100,300". Writes bench/results/heap.json.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSource } from './lib/bundle-source.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sizesMb = (process.env.LEAKWATCH_BENCH_HEAP_SIZES_MB ?? '10,100,300').split(',').map(Number);
const listNodes = Number(process.env.LEAKWATCH_BENCH_HEAP_LIST_NODES ?? 1_000_000);
const memlabDir = process.env.LEAKWATCH_MEMLAB_DIR ?? '/tmp/memlab-bench';
const memlabModule = join(memlabDir, 'node_modules', '@memlab', 'heap-analysis');
const hasMemlab = existsSync(memlabModule);
// Calibrated on Node 20: an empty process writes ~4 MB of snapshot, one generated record ~360 bytes more.
const RECORDS_PER_MB = 2800;
const LEAK_PER_ROUND = 2000;
const TARGET = { snapshotMb: 100, maxDurationMs: 15_000, maxRssMb: 1536 };

const GENERATOR = `
const v8 = require('node:v8');
const path = require('node:path');
const [outDir, recordCount, leakPerRound] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
class Record { constructor(i) { this.id = i; this.name = 'rec-' + i; this.tags = [i, i + 1]; this.meta = { created: i, owner: this }; } }
class LeakedSession { constructor(i) { this.id = i; this.token = 'tok-' + i; this.onEnd = () => this.id; } }
globalThis.benchRecords = Array.from({ length: recordCount }, (_, i) => new Record(i));
const sessionsById = new Map();
globalThis.benchSessions = sessionsById;
let next = 0;
const paths = [];
for (const label of ['first', 'middle', 'last']) {
  if (label !== 'first') for (let i = 0; i < leakPerRound; i++, next++) sessionsById.set(next, new LeakedSession(next));
  paths.push(v8.writeHeapSnapshot(path.join(outDir, label + '.heapsnapshot')));
}
process.stdout.write(JSON.stringify(paths));
`;

const LIST_GENERATOR = `
const v8 = require('node:v8');
const path = require('node:path');
const [outDir, initialNodes, requestsPerRound] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
let chain = null;
const grow = (nodes) => { for (let i = 0; i < nodes; i++) chain = { next: chain }; };
globalThis.keepChain = () => chain;
grow(initialNodes);
const paths = [];
for (const label of ['first', 'middle', 'last']) {
  if (label !== 'first') grow(requestsPerRound * 32);
  paths.push(v8.writeHeapSnapshot(path.join(outDir, label + '.heapsnapshot')));
}
process.stdout.write(JSON.stringify(paths));
`;

const LEAKWATCH_RUNNER = `
const [analysis, first, middle, last, requests] = process.argv.slice(2);
const { diffHeapSnapshots } = await import(analysis);
const result = await diffHeapSnapshots({ snapshotPaths: [first, middle, last], requestsBetween: { firstToLast: Number(requests) } });
process.stdout.write(JSON.stringify({
  durationMs: Math.round(result.durationMs),
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  growing: result.growing.slice(0, 3).map((g) => ({ name: g.name, objectsPerRequest: g.objectsPerRequest, bytesPerRequest: g.bytesPerRequest, retainerPath: g.retainerPathText })),
}));
`;

// The same 3-snapshot rule on memlab's parser: load each snapshot fully (its dominators and retained
// sizes come with the load), take the highest id of the first, count newer ids by name in the last.
const MEMLAB_RUNNER = `
const [memlab, first, middle, last] = process.argv.slice(1);
const { getFullHeapFromFile } = require(memlab);
(async () => {
  const started = performance.now();
  const maxId = async (file) => { let max = 0; (await getFullHeapFromFile(file)).nodes.forEach((n) => { if (n.id & 1 && n.id > max) max = n.id; }); return max; };
  const since = await maxId(first);
  await maxId(middle);
  const counts = new Map();
  (await getFullHeapFromFile(last)).nodes.forEach((n) => { if (n.id & 1 && n.id > since) counts.set(n.name, (counts.get(n.name) ?? 0) + 1); });
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  process.stdout.write('\\n' + JSON.stringify({ durationMs: Math.round(performance.now() - started), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), topNewByName: top }));
})();
`;

function runNode(args, { timeoutMs, cwd }) {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile(
      process.execPath,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const elapsedMs = Math.round(performance.now() - started);
        if (error) {
          const reason = error.killed
            ? `timed out after ${timeoutMs} ms`
            : `exit ${error.code ?? error.signal}`;
          resolve({ ok: false, elapsedMs, reason, stderrTail: stderr.split('\n').slice(-4).join('\n') });
        } else resolve({ ok: true, elapsedMs, stdout });
      },
    );
  });
}

function lastJsonLine(stdout) {
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

const work = await mkdtemp(join(tmpdir(), 'leakwatch-bench-heap-'));
try {
  const analysis = join(work, 'analysis.mjs');
  await bundleSource(join(root, 'src/explain/heap/diff-heap-snapshots.ts'), analysis);
  const leakwatchRunner = join(work, 'runner.mjs');
  await writeFile(leakwatchRunner, LEAKWATCH_RUNNER);

  // Generates one triple of snapshots, analyses it with leakwatch (and memlab when installed), deletes it.
  const runCase = async (name, generator, generatorArgs, entry) => {
    const dir = join(work, name);
    await mkdir(dir);
    process.stderr.write(`heap bench: generating 3 snapshots for ${name}\n`);
    const generated = await runNode(
      ['--max-old-space-size=8192', '-e', generator, dir, ...generatorArgs.map(String)],
      {
        timeoutMs: 30 * 60_000,
        cwd: dir,
      },
    );
    if (!generated.ok)
      throw new Error(`snapshot generator failed: ${generated.reason}\n${generated.stderrTail}`);
    const paths = JSON.parse(generated.stdout);
    const fileSizesMb = await Promise.all(paths.map(async (p) => Math.round((await stat(p)).size / 2 ** 20)));
    // The machine is shared: the 1-minute load average says how contended these figures were.
    Object.assign(entry, {
      fileSizesMb,
      generateMs: generated.elapsedMs,
      requestsFirstToLast: 2 * LEAK_PER_ROUND,
      loadAverage1mBefore: Number(loadavg()[0]?.toFixed(1)),
    });

    process.stderr.write(`heap bench: leakwatch on ${fileSizesMb.join(' / ')} MB\n`);
    const ours = await runNode([leakwatchRunner, analysis, ...paths, String(2 * LEAK_PER_ROUND)], {
      timeoutMs: 10 * 60_000,
      cwd: dir,
    });
    entry.leakwatch = ours.ok
      ? lastJsonLine(ours.stdout)
      : { failed: ours.reason, stderrTail: ours.stderrTail };

    if (hasMemlab) {
      process.stderr.write(`heap bench: memlab on ${fileSizesMb.join(' / ')} MB\n`);
      const theirs = await runNode(
        ['--max-old-space-size=4096', '-e', MEMLAB_RUNNER, memlabModule, ...paths],
        {
          timeoutMs: 10 * 60_000,
          cwd: dir,
        },
      );
      entry.memlab = theirs.ok
        ? lastJsonLine(theirs.stdout)
        : { failed: theirs.reason, elapsedMs: theirs.elapsedMs, stderrTail: theirs.stderrTail };
    }
    entry.loadAverage1mAfter = Number(loadavg()[0]?.toFixed(1));
    await rm(dir, { recursive: true, force: true });
    process.stderr.write(`heap bench: ${JSON.stringify(entry)}\n`);
    return entry;
  };

  const sizes = [];
  for (const targetMb of sizesMb) {
    const records = Math.round(Math.max(1, targetMb - 4) * RECORDS_PER_MB);
    sizes.push(await runCase(`${targetMb}mb`, GENERATOR, [records, LEAK_PER_ROUND], { targetMb, records }));
  }
  const linkedList =
    listNodes > 0
      ? await runCase('list', LIST_GENERATOR, [listNodes, LEAK_PER_ROUND], {
          nodesBeforeFirst: listNodes,
          nodesPerRequest: 32,
        })
      : null;

  const atTarget = sizes.find((s) => s.targetMb === TARGET.snapshotMb)?.leakwatch;
  const results = {
    benchmark: 'heap-snapshot 3-way diff (src/explain/heap/diff-heap-snapshots.ts)',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    target: TARGET,
    meetsTarget:
      atTarget?.durationMs === undefined
        ? null
        : atTarget.durationMs <= TARGET.maxDurationMs && atTarget.maxRssMb <= TARGET.maxRssMb,
    memlab: hasMemlab
      ? '@memlab/heap-analysis getFullHeapFromFile on the same files (includes its dominator/retained-size pass)'
      : 'not installed',
    notes:
      'durationMs: all 3 snapshots parsed + diff + retainer paths, measured inside the child. maxRssMb: the analysing child process peak RSS.',
    sizes,
    linkedList,
  };
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/heap.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`heap bench: wrote bench/results/heap.json\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
