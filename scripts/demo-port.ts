// Which port the demo's relay listens on. `npm start` and the demo share the default 8080, so a
// relay already running there is the usual case, not an error: the demo then takes a free port
// and says so. Only a port the user asked for by name (PORT) is kept to the letter.
import net from 'node:net';

export const DEFAULT_PORT = 8080;

export interface RelayPort {
  /** What to give the relay as PORT: 0 lets the relay take a free one and report it. */
  port: number;
  /** Why the demo is not on the default port, once the relay says where it is. */
  movedFrom?: number;
}

export async function chooseRelayPort(env: NodeJS.ProcessEnv, host: string): Promise<RelayPort> {
  const asked = env.PORT?.trim();
  if (asked) {
    const port = Number(asked);
    if (!/^\d+$/.test(asked) || port > 65535) throw new Error(`PORT=${asked} is not a port number (0–65535).`);
    // 0 is "any free port", which no one else can hold.
    if (port !== 0 && !(await isFree(port, host))) {
      throw new Error(`PORT=${port} is taken: something (another relay?) already listens on ${host}:${port}. Stop it, choose another PORT, or leave PORT unset and the demo finds a free port.`);
    }
    return { port };
  }
  if (await isFree(DEFAULT_PORT, host)) return { port: DEFAULT_PORT };
  return { port: 0, movedFrom: DEFAULT_PORT };
}

export function movedLine(from: number, to: number): string {
  return `Port ${from} is already in use (a relay started with npm start?), so the demo's relay listens on port ${to} instead.`;
}

/**
 * Whether the relay could listen there: a listener on 0.0.0.0 or [::] holds the port for
 * 127.0.0.1 too, so trying the same address the relay binds answers for all of them.
 */
function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
