// The Planfix simulator in a process of its own, for the throughput figures: the load generator
// (autocannon, in the bench process) then shares no event loop with what the relay delivers to.
// Ready line on stdout; over IPC it answers how many newMessage commands it accepted.
import { PlanfixSim } from '../test/sim/planfix.ts';

const sim = await PlanfixSim.start();
process.on('message', (m: { id: number; ask: 'newMessages' }) => {
  let n = 0;
  for (const c of sim.commands) if (c.cmd === 'newMessage' && c.status === 200) n++;
  process.send!({ id: m.id, value: n });
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
const port = new URL(sim.origin).port;
console.log(`planfix simulator listening on port ${port}`);
