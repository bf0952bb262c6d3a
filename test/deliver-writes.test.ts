// relay/deliver.ts: the state and plan records of a delivery are synced while its Planfix call
// runs, and the delivery is not finished (so the event is not marked done) until they are on disk.
import { mkdtemp, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import type { Account, ChannelConfig } from '../relay/core/account.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { deliver } from '../relay/deliver.ts';
import { StorageError } from '../relay/store/jsonl.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { ChatApi } from '../relay/planfix/chat.ts';
import { RestApi } from '../relay/planfix/rest.ts';
import { TelephonyApi } from '../relay/planfix/telephony.ts';
import { Journal } from '../relay/store/journal.ts';
import { AccountState } from '../relay/store/state.ts';
import { PlanfixSim } from './sim/planfix.ts';

async function tmpDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every write on the file's handle fails with ENOSPC until `heal()`. */
function diskFull(file: unknown): { heal(): void } {
  const fh = (file as { fh: FileHandle }).fh;
  const original = fh.write.bind(fh);
  (fh as unknown as { write: unknown }).write = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { heal: () => { (fh as unknown as { write: unknown }).write = original; } };
}

test('a delivery whose plan record did not reach the disk fails retryably after its Planfix call, and the retry does not repeat the call', async (t) => {
  const sim = await PlanfixSim.start({ chatToken: 'pf-chat' });
  t.teardown(() => sim.close());
  const channel = { id: 'ch1', kind: 'chatra', name: 'Site chat', secret: 's'.repeat(32), settings: { publicKey: 'p', secretKey: 's' }, options: {} } as unknown as ChannelConfig;
  const account = {
    id: 'acc1', name: 'Acme', defaultCountry: 'RU', planfix: { url: sim.origin, chatToken: 'pf-chat' },
    callback: { chatToken: 'c', telephonyToken: 't' }, widget: { key: 'w' }, channels: [channel], createdAt: new Date().toISOString(),
  } as Account;
  const journal = new Journal(await tmpDir(t));
  await journal.open();
  const state = new AccountState(join(await tmpDir(t), 'acc1'));
  await state.open();
  t.teardown(async () => { await journal.close(); await state.close(); });
  const policy = new OutboundPolicy(['127.0.0.1']);
  const deps = { journal, chat: new ChatApi(policy, 5000), rest: new RestApi(policy, 5000), telephony: new TelephonyApi(policy, 5000), policy, timeoutMs: 5000, log: pino({ level: 'silent' }) };
  const message = (id: string): MessageEvent => ({ kind: 'message', eventId: id, customer: { clientId: 'v1', name: 'Olga' }, at: Date.now(), text: `text of ${id}`, attachments: [] });
  const newMessages = () => sim.commands.filter((c) => c.cmd === 'newMessage').length;

  // The conversation's first message opens its task; the second is planned as one newMessage.
  const [first] = await journal.add([{ id: 'ch1:m1', account: 'acc1', channel: 'ch1', key: 'ch1:v1', at: Date.now(), event: message('m1') }]);
  await deliver(first!, account, state, deps);
  await journal.done(first!);
  const [second] = await journal.add([{ id: 'ch1:m2', account: 'acc1', channel: 'ch1', key: 'ch1:v1', at: Date.now(), event: message('m2') }]);
  t.is(newMessages(), 1);

  const disk = diskFull((journal as unknown as { file: unknown }).file);
  const err = await t.throwsAsync(deliver(second!, account, state, deps));
  t.true(err instanceof StorageError, String(err));
  t.is(newMessages(), 2, 'the Planfix call ran while the plan record was being written');
  t.deepEqual(second!.plan?.map((op) => op.do), ['newMessage', 'learnTask']);

  disk.heal();
  // The journal repairs itself from memory after a short pause; the retry then only waits for it.
  await new Promise((r) => setTimeout(r, 300));
  await deliver(second!, account, state, deps);
  t.is(newMessages(), 2, 'not sent twice');
  await journal.done(second!);
  t.is(journal.pending.size, 0);
});
