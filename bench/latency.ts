// Figure 2, latency: Chatra webhooks at a fixed 200 per second, evenly spaced (one every 5 ms,
// 100 conversations), and for each the time from sending it to the Planfix simulator receiving its
// newMessage. The simulator runs in this process, so both ends read the same clock
// (performance.now()); the send time is taken just before the request is written, so the figure
// includes the loopback hop in and out. autocannon's own rate limit is not used here: it sends each
// second's quota as a burst at the start of the second, which is not a fixed rate.
import http from 'node:http';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { chatraAccount, chatraBody, fmt, messageIdIn, percentile, RelayProc, sleep, tempDir, waitFor, type FigureResult } from './lib.ts';

export const LATENCY = { rate: 200, warmupSeconds: 3, seconds: 15, visitors: 100 };

export async function latency(): Promise<FigureResult> {
  const sim = await PlanfixSim.start();
  const relay = await RelayProc.start(await tempDir('latency'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  // Stamp each newMessage the moment the simulator records it.
  const commands = sim.commands;
  const push = commands.push.bind(commands);
  commands.push = (...items) => {
    const now = performance.now();
    for (const c of items) {
      if (c.cmd !== 'newMessage' || c.status !== 200) continue;
      const id = messageIdIn(String(c.params.message ?? ''));
      const t0 = id === undefined ? undefined : sentAt.get(id);
      if (t0 !== undefined && measuring) latencies.push(now - t0);
      if (id !== undefined) sentAt.delete(id);
    }
    return push(...items);
  };
  try {
    const { webhookUrl } = await chatraAccount(relay, sim.origin);
    const url = new URL(webhookUrl);
    let failures = 0;
    const post = (body: string, id: string) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        if (res.statusCode !== 200) failures++;
        res.resume();
      });
      req.on('error', () => { failures++; });
      sentAt.set(id, performance.now());
      req.end(body);
    };
    /** Sends `seconds` × rate webhooks, each at its 5 ms slot (timers: within about a millisecond; a late one goes at once). */
    const run = async (seconds: number, prefix: string) => {
      const every = 1000 / LATENCY.rate;
      const start = performance.now();
      for (let i = 0; i < seconds * LATENCY.rate; i++) {
        const due = start + i * every;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const id = `${prefix}-${i}`;
        post(chatraBody(i % LATENCY.visitors, id), id);
      }
      return (performance.now() - start) / 1000;
    };
    // Warm-up: every conversation gets its task (the first message of each is not measured).
    await run(LATENCY.warmupSeconds, 'lw');
    await waitFor(() => sentAt.size === 0, 30_000, 'the warm-up to be delivered', 20);
    measuring = true;
    const took = await run(LATENCY.seconds, 'lm');
    await waitFor(() => sentAt.size === 0, 30_000, 'every measured event to be delivered', 20);
    measuring = false;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    return {
      rows: [{ figure: '2 latency at 200 events/s: webhook -> newMessage', target: 'p99 < 20 ms', measured: `p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms`, met: p99 < 20 && failures === 0 }],
      notes: [
        `${sorted.length} events in ${fmt(took, 1)} s (${fmt(sorted.length / took, 0)}/s) over ${LATENCY.visitors} conversations after a ${LATENCY.warmupSeconds} s warm-up; `
        + `p50 ${fmt(p50, 2)} ms, p90 ${fmt(percentile(sorted, 90), 2)} ms, p99 ${fmt(p99, 2)} ms, p99.9 ${fmt(percentile(sorted, 99.9), 2)} ms, max ${fmt(sorted.at(-1)!, 2)} ms; ${failures} webhooks not answered 200`,
      ],
    };
  } finally {
    commands.push = push;
    agent.destroy();
    await relay.destroy();
    await sim.close();
  }
}
