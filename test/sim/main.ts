// `npm run sim`: a Planfix simulator, a Chatra fake and a Ringostat fake for manual runs of the relay.
import { ChatraFake } from './chatra.ts';
import { PlanfixSim } from './planfix.ts';
import { RingostatFake } from './ringostat.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

const chatToken = 'pf-chat-token';
const restToken = 'pf-rest-token';
const telToken = 'pf-tel-token';
const publicKey = 'chatra-pub';
const secretKey = 'chatra-secret';
const authKey = 'ringostat-auth-key';

const planfix = await PlanfixSim.start({ port: port('SIM_PORT', 8090), chatToken, restToken, telToken });
const chatra = await ChatraFake.start({ port: port('SIM_CHATRA_PORT', 8091), publicKey, secretKey });
const ringostat = await RingostatFake.start({ port: port('SIM_RINGOSTAT_PORT', 8092), authKey });

console.log(`Planfix simulator
  Chat API:      ${planfix.chatApiUrl}   planfix_token=${chatToken}
  Telephony API: ${planfix.telephonyApiUrl}   planfix_token=${telToken}
  REST:          ${planfix.restUrl}   Authorization: Bearer ${restToken}
Chatra fake
  API:           ${chatra.apiUrl}   Authorization: Chatra.Simple ${publicKey}:${secretKey}
Ringostat fake
  API:           ${ringostat.apiUrl}   Auth-key: ${authKey}   (POST /callback/outward_call)
Ctrl+C to stop.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await Promise.all([planfix.close(), chatra.close(), ringostat.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
