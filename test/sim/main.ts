// `npm run sim`: a Planfix simulator and a Chatra fake for manual runs of the relay.
import { ChatraFake } from './chatra.ts';
import { PlanfixSim } from './planfix.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

const chatToken = 'pf-chat-token';
const restToken = 'pf-rest-token';
const publicKey = 'chatra-pub';
const secretKey = 'chatra-secret';

const planfix = await PlanfixSim.start({ port: port('SIM_PORT', 8090), chatToken, restToken });
const chatra = await ChatraFake.start({ port: port('SIM_CHATRA_PORT', 8091), publicKey, secretKey });

console.log(`Planfix simulator
  Chat API:  ${planfix.chatApiUrl}   planfix_token=${chatToken}
  REST:      ${planfix.restUrl}   Authorization: Bearer ${restToken}
Chatra fake
  API:       ${chatra.apiUrl}   Authorization: Chatra.Simple ${publicKey}:${secretKey}
Ctrl+C to stop.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await Promise.all([planfix.close(), chatra.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
