// leakwatch gives each side its own port in PORT. An app that ignores it (a hard-coded `listen(3000)`, Next.js
// 10's `next start`) would put both sides on one port: the second dies of EADDRINUSE. So the first TCP server a
// process starts on another fixed port is moved to PORT, and the app's log says so.
import net from 'node:net';

type ListenArgs = Parameters<net.Server['listen']>;

export function holdFirstServerToPort(port: number): void {
  let isClaimed = false;
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    const asked = isClaimed ? null : askedPort(args);
    if (asked !== null) {
      isClaimed = true;
      if (asked !== 0 && asked !== port) {
        process.stderr.write(
          `leakwatch: the app listens on port ${asked}, not on PORT (${port}); ` +
            `moved it to ${port} so both sides can run\n`,
        );
        return originalListen.apply(this, withPort(args, port) as ListenArgs);
      }
    }
    return originalListen.apply(this, args as ListenArgs);
  } as net.Server['listen'];
}

/** The TCP port a listen() call asks for; null for a unix socket, a handle or a pipe. */
function askedPort(args: unknown[]): number | null {
  const [first] = args;
  if (first === undefined || typeof first === 'function') return 0;
  const value = typeof first === 'object' && first !== null ? portOption(first) : first;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function portOption(options: object): unknown {
  if ('path' in options && options.path) return null;
  return 'port' in options ? (options.port ?? 0) : null;
}

function withPort(args: unknown[], port: number): unknown[] {
  const [first, ...rest] = args;
  return typeof first === 'object' && first !== null ? [{ ...first, port }, ...rest] : [port, ...rest];
}
