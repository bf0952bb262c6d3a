// Planfix → PBX (relay) telephony commands: makeCall when an employee clicks a number, setup
// when the integration is switched on (docs/reference/planfix-api.md §2.2). Form bodies, like the Chat API.
import { encodeForm } from './form.ts';
import { postForm } from './http.ts';
import type { SimState, SimTelOutbound } from './state.ts';

export interface TelTarget {
  /** The relay's telephony URL; defaults to the PBX URL saved by the last setup. */
  relayUrl?: string;
  /** The PBX token; defaults to the one saved by the last setup. */
  token?: string;
}

export interface MakeCallArgs extends TelTarget {
  /** Short number (ext) of the employee who clicked, e.g. `101`. */
  from: string;
  /** The number to call as Planfix has it, e.g. `79101234567`. */
  to: string;
}

export interface SetupArgs {
  relayUrl: string;
  token: string;
}

export interface TelResult {
  status: number;
  body: unknown;
}

export function sendMakeCall(state: SimState, args: MakeCallArgs): Promise<TelResult> {
  const { url, token } = target(state, args, 'makeCall');
  return send(state, 'makeCall', url, { cmd: 'makeCall', from: args.from, to: args.to, token });
}

/**
 * The admin saves the PBX URL and token, then Planfix posts setup with its own URL and token
 * so the PBX side can configure itself. A non-200 answer is shown to the admin as an error;
 * the settings stay saved either way.
 */
export function sendSetup(state: SimState, telephonyApiUrl: string, args: SetupArgs): Promise<TelResult> {
  state.telephonySettings = { pbxUrl: args.relayUrl, pbxToken: args.token };
  return send(state, 'setup', args.relayUrl, {
    cmd: 'setup',
    token: args.token,
    planfix_token: state.config.telToken,
    planfix_url: telephonyApiUrl,
  });
}

/**
 * Not in Planfix's documentation: the reference documents `ping` only from the PBX to
 * Planfix. This sends `cmd=ping` with the PBX `token`, shaped like makeCall and setup, for a
 * relay that chooses to answer a connectivity check.
 */
export function sendPing(state: SimState, args: TelTarget = {}): Promise<TelResult> {
  const { url, token } = target(state, args, 'ping');
  return send(state, 'ping', url, { cmd: 'ping', token });
}

function target(state: SimState, args: TelTarget, what: string): { url: string; token: string } {
  const url = args.relayUrl ?? state.telephonySettings.pbxUrl;
  const token = args.token ?? state.telephonySettings.pbxToken;
  if (!url) throw new Error(`PlanfixSim.${what}: pass relayUrl or run telephonySetup() first`);
  return { url, token };
}

async function send(state: SimState, cmd: SimTelOutbound['cmd'], url: string, params: Record<string, string>): Promise<TelResult> {
  const { status, body } = await postForm(url, encodeForm(params));
  state.telephonyOutbound.push({ cmd, url, params, status, body, at: Date.now() });
  return { status, body };
}
