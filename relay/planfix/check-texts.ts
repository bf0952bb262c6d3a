import type { CheckTexts } from '../core/check.ts';

// Every outcome of "Test connection" for an account's Planfix side, in English (the API's words);
// the admin page words each code in the admin's language (admin-ui/texts-*.ts).

const UNREACHABLE_FIX = 'Check the account\'s Planfix URL and that this server can reach it (DNS, firewall, RELAY_ALLOW_HOSTS for a non-Planfix address).';

export const PLANFIX_CHECKS = {
  chat_ok: { ok: true, message: 'Planfix accepted the chat token.' },
  chat_token_refused: {
    ok: false, message: 'Planfix refused the chat token.',
    fix: 'Copy the token from Planfix (Integrations → Messengers → Chat API) into the account\'s planfix.chatToken.',
  },
  chat_refused: { ok: false, message: '{error}', fix: 'Check that the Chat API integration is switched on in Planfix and the account URL is right.' },
  chat_unreachable: { ok: false, message: 'Planfix Chat API unreachable: {error}', fix: UNREACHABLE_FIX },

  rest_no_token: {
    ok: false, message: 'No REST token: calls, contacts by phone and closing tasks need one.',
    fix: 'In Planfix, Account management → API access → REST API: issue a token for a robot employee and set planfix.restToken.',
  },
  rest_token_refused: {
    ok: false, message: 'Planfix refused the REST token ({error}).',
    fix: 'Issue a new REST token in Planfix and set planfix.restToken; check the account\'s REST plan.',
  },
  rest_unreachable: { ok: false, message: 'Planfix REST unreachable: {error}', fix: UNREACHABLE_FIX },
  rest_scopes_missing: {
    ok: false, message: 'The REST token works but lacks: {scopes}.',
    fix: 'Issue the token again with those scopes (or without a scope limit) and update planfix.restToken.',
  },
  rest_scopes_unknown: { ok: false, message: 'REST reachable; could not check {scopes} (Planfix did not answer).' },
  rest_ok: { ok: true, message: 'REST reachable, the token is valid and has every scope the relay needs.' },

  telephony_no_token: {
    ok: false, message: 'No telephony token yet.',
    fix: 'Switch on "API ПланФикса для телефоний" in Planfix with PBX URL {url} and the PBX token shown here; Planfix then sends its token to the relay.',
  },
  telephony_unreachable: { ok: false, message: 'Planfix Telephony API unreachable: {error}', fix: UNREACHABLE_FIX },
  telephony_refused: {
    ok: false, message: '{error}',
    fix: 'Copy Planfix\'s telephony token into planfix.telephonyToken, or switch the integration off and on so Planfix sends it again.',
  },
  telephony_other_url: { ok: false, message: 'Planfix calls another PBX URL: {pbxUrl}.', fix: 'Set the PBX URL in Planfix\'s telephony settings to {url}.' },
  telephony_other_token: {
    ok: false, message: 'Planfix has another PBX token; its click-to-call would be refused.',
    fix: 'Paste the account\'s telephony token (connect.planfixTelephony.token) into Planfix as the PBX token.',
  },
  telephony_ok: { ok: true, message: 'Planfix accepted the telephony token and has the relay as its PBX.' },

  planfix_url_blocked: { ok: false, message: 'The relay may not call this Planfix address: {error}', fix: 'Correct the account\'s Planfix URL, or allow its host in RELAY_ALLOW_HOSTS.' },
} satisfies CheckTexts;

export type PlanfixCheckCode = keyof typeof PLANFIX_CHECKS;
