// The app under test, its install and its build run code from the untrusted head commit.
// They get an allow-listed environment: nothing secret can reach them by accident.
import { delimiter } from 'node:path';

const allowedNames = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'CI',
  'NODE_ENV',
  'RUNNER_OS',
  'RUNNER_ARCH',
  'RUNNER_TEMP',
  'RUNNER_TOOL_CACHE',
  'NVM_DIR',
  'NVM_BIN',
  'VOLTA_HOME',
  'FNM_DIR',
  'PNPM_HOME',
  'COREPACK_HOME',
  'COREPACK_ENABLE_STRICT',
  'COREPACK_ENABLE_DOWNLOAD_PROMPT',
  'COREPACK_NPM_REGISTRY',
  'COREPACK_INTEGRITY_KEYS',
  'NPM_CONFIG_REGISTRY',
  'npm_config_registry',
  'NPM_CONFIG_USERCONFIG',
  'npm_config_userconfig',
  'YARN_NPM_REGISTRY_SERVER',
  'NPM_CONFIG_CACHE',
  'npm_config_cache',
  'YARN_CACHE_FOLDER',
  // Not a secret: the CA bundle a TLS-intercepting proxy needs. npm reads its own cafile; yarn 4 and Node do not.
  'NODE_EXTRA_CA_CERTS',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'SystemRoot',
  'ComSpec',
  'PATHEXT',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
]);
const allowedPrefixes = ['LC_'];

/**
 * Builds the environment for a child that runs untrusted code: the allow-listed part of `parent`,
 * then `extra`: what leakwatch itself sets (scenario env, PORT, NODE_OPTIONS).
 */
export function scrubbedEnv(
  parent: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (allowedNames.has(name) || allowedPrefixes.some((prefix) => name.startsWith(prefix)))
      env[name] = value;
  }
  Object.assign(env, extra);
  env.NEXT_TELEMETRY_DISABLED ??= '1';
  return env;
}

/** `{ PATH }` with `binDir` first, so `node` (and npm under it) is that side's runtime; `{}` when none is set. */
export function nodeOnPath(
  binDir: string | undefined,
  parentPath = process.env.PATH ?? '',
): Record<string, string> {
  return binDir ? { PATH: parentPath ? `${binDir}${delimiter}${parentPath}` : binDir } : {};
}
