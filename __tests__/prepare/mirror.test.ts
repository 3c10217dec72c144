// Installs behind a registry mirror, with a fresh corepack cache (an empty COREPACK_HOME): corepack must fetch
// pnpm itself through the registry npm is configured for (the project's .npmrc), with the machine's CA bundle
// (this machine's TLS-inspecting proxy needs NODE_EXTRA_CA_CERTS). The mirror is a real local HTTP server that
// forwards to the upstream registry and, like many mirrors, drops npm's signatures from package metadata.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAndBuild } from '../../src/prepare/install-build.js';
import { makeTempDir, removeDir, writeFiles } from './fixtures.js';

const upstream = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' })
  .trim()
  .replace(/\/+$/, '');
const log = () => {};
const cleanup: string[] = [];
const requested: string[] = [];
let mirror: Server;
let mirrorUrl = '';

beforeAll(async () => {
  mirror = createServer(async (request, response) => {
    requested.push(request.url ?? '');
    const answer = await fetch(upstream + request.url, {
      headers: { accept: request.headers.accept ?? '*/*' },
    });
    const type = answer.headers.get('content-type') ?? 'application/octet-stream';
    let body = Buffer.from(await answer.arrayBuffer());
    if (type.includes('json')) {
      const metadata = JSON.parse(body.toString('utf8'));
      for (const version of Object.values(metadata.versions ?? {}) as { dist?: { signatures?: unknown } }[]) {
        delete version.dist?.signatures;
      }
      body = Buffer.from(JSON.stringify(metadata));
    }
    response.writeHead(answer.status, { 'content-type': type, 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => mirror.close(resolve));
  for (const dir of cleanup) await removeDir(dir);
});

/** A pnpm project with no dependencies whose .npmrc points at the mirror, and an empty corepack cache. */
async function pnpmProject(registry = mirrorUrl) {
  const [dir, logDir, corepackHome] = await Promise.all(['pnpm-app', 'logs', 'corepack'].map(makeTempDir));
  cleanup.push(dir, logDir, corepackHome);
  await writeFiles(dir, {
    'package.json': JSON.stringify({ name: 'app', private: true, packageManager: 'pnpm@9.15.0' }),
    '.npmrc': `registry=${registry}/\n`,
  });
  return { dir, logDir, env: { COREPACK_HOME: corepackHome } };
}

describe('an install behind a registry mirror, with an empty COREPACK_HOME', () => {
  it('fetches pnpm through the registry npm is configured for, when its signatures are not checked', async () => {
    const { dir, logDir, env } = await pnpmProject();
    const result = await installAndBuild({
      dir,
      logDir,
      label: 'head',
      log,
      env: { ...env, COREPACK_INTEGRITY_KEYS: '0' },
    });
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, packageManager: 'pnpm' });
    expect(requested).toContain('/pnpm/-/pnpm-9.15.0.tgz');
  });

  it('says that corepack could not verify the signature, and names COREPACK_INTEGRITY_KEYS=0', async () => {
    const { dir, logDir, env } = await pnpmProject();
    const result = await installAndBuild({ dir, logDir, label: 'base', log, env });
    if (result.ok) throw new Error('expected corepack to refuse the unsigned pnpm');
    expect(result.stage).toBe('install');
    expect(result.logTail).toContain('No compatible signature found in package metadata');
    expect(result.hint).toContain(
      `Corepack could not verify the package manager's signature on ${mirrorUrl}`,
    );
    expect(result.hint).toContain("in the leakwatch step's `env:` (`COREPACK_INTEGRITY_KEYS: '0'`)");
    expect(result.hint).toContain('(`COREPACK_INTEGRITY_KEYS=0 npx leakwatch compare …`)');
    // One setting, the one that works: no other corepack variable to try.
    const named = new Set(result.hint?.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g));
    expect([...named]).toEqual(['COREPACK_INTEGRITY_KEYS']);
  });

  it("quotes the install log's first error line when the mirror cannot be reached", async () => {
    const { dir, logDir, env } = await pnpmProject('http://127.0.0.1:9');
    const result = await installAndBuild({
      dir,
      logDir,
      label: 'head',
      log,
      env: { ...env, COREPACK_INTEGRITY_KEYS: '0' },
    });
    if (result.ok) throw new Error('expected the install to fail');
    expect(result.hint).toContain(
      'the first error in its log: "Error: Error when performing the request to http://127.0.0.1:9/pnpm/9.15.0;',
    );
    expect(result.hint).not.toContain('lockfile');
  });
});
