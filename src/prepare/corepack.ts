// Installs behind a registry mirror: npm reads its registry from .npmrc, but corepack fetches the package manager
// itself from its own default URL unless COREPACK_NPM_REGISTRY says otherwise. leakwatch points it at the registry
// npm is configured for, and reads the install log for the first error line (and corepack's signature check, which
// fails on mirrors that do not serve npm's signing keys) instead of guessing the cause.
import { getExecOutput } from '@actions/exec';

// What an install needs to reach a registry at all behind a TLS-inspecting proxy: the CA bundle (Node's fetch in
// corepack reads NODE_EXTRA_CA_CERTS; npm under another Node loses the global npmrc that named its cafile) and
// the proxy. Only the install gets them; the app under test does not.
const registryAccessNames = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

export function registryAccessEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    registryAccessNames.flatMap((name) => (parent[name] ? [[name, parent[name] as string]] : [])),
  );
}

/** `{ COREPACK_NPM_REGISTRY }` from `npm config get registry` in `dir`, when it is unset. */
export async function corepackRegistryEnv(
  dir: string,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  if (env.COREPACK_NPM_REGISTRY) return {};
  // @actions/exec for a short, trusted command: argv without a shell, output collected, nothing printed.
  const result = await getExecOutput('npm', ['config', 'get', 'registry'], {
    cwd: dir,
    env,
    silent: true,
    ignoreReturnCode: true,
  }).catch(() => undefined);
  const registry = result?.exitCode === 0 ? result.stdout.trim().replace(/\/+$/, '') : '';
  // Set even when it is npm's default: only then does corepack fetch Yarn berry from the npm registry
  // (@yarnpkg/cli-dist) instead of repo.yarnpkg.com, which a registry mirror does not serve.
  return /^https?:\/\//.test(registry) ? { COREPACK_NPM_REGISTRY: registry } : {};
}

/** The first line of a step log that reports an error: a line that starts like one, not a quoted stack frame. */
export function firstErrorLine(log: string): string | undefined {
  const line = log
    .split('\n')
    .map((text) => text.trim())
    .find((text) =>
      /^(npm (ERR!|error)|ERR_PNPM_\w+|ERR_\w+|\w*Error\b|error\b|fatal\b|➤ YN0001)/i.test(text),
    );
  return line && line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Corepack could not verify the package manager it downloaded: mirrors often lack npm's signatures. */
export function isCorepackSignatureFailure(log: string): boolean {
  return /No compatible signature found|Cannot find matching keyid|Signature does not match/.test(log);
}

/** One setting, the one corepack reads as "skip the check", and where to put it for the action and the CLI. */
export function corepackSignatureHint(registry: string | undefined): string {
  return (
    `Corepack could not verify the package manager's signature${registry ? ` on ${registry}` : ''}: ` +
    'registry mirrors often do not serve the signing keys corepack checks against. Set COREPACK_INTEGRITY_KEYS=0 ' +
    "to skip that check: in the leakwatch step's `env:` (`COREPACK_INTEGRITY_KEYS: '0'`), or before the CLI " +
    '(`COREPACK_INTEGRITY_KEYS=0 npx leakwatch compare …`); leakwatch passes it to the install.'
  );
}
