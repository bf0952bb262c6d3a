import { COUNTS, LATENCY_BOUNDS, type TrafficDelta, type TrafficHour } from '../../core/traffic.ts';
import type { TrafficLog } from '../store.ts';
import type { Db } from './db.ts';

const L = LATENCY_BOUNDS.map((_, i) => `l${i}`).concat(`l${LATENCY_BOUNDS.length}`);
const ADDED = [...COUNTS, ...L];
const COLUMNS = ['account', 'hour', 'channel', ...ADDED, 'backlog'];

// One statement for a flush of any number of hours: a column of values per array parameter.
const ADD = `INSERT INTO traffic AS t (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c === 'account' || c === 'channel' ? 'text' : c === 'hour' ? 'float8' : 'integer'}[]`).join(', ')})
  ON CONFLICT (account, hour, channel) DO UPDATE SET ${ADDED.map((k) => `${k} = t.${k} + excluded.${k}`).join(', ')},
  backlog = GREATEST(t.backlog, excluded.backlog)`;

const SUMS = [...COUNTS, ...L, 'backlog'].map((k) => `SUM(${k}) AS ${k}`).join(', ');

/**
 * The traffic rollup in `traffic` (schema.ts). Adds are upserts that sum into the hour's row, so
 * a recorder flushing the same hour twice, or two relays sharing the database, add up rightly.
 */
export class PgTraffic implements TrafficLog {
  constructor(private readonly db: Db) {}

  async add(deltas: TrafficDelta[]): Promise<void> {
    if (!deltas.length) return;
    // Summed here first: one statement may not change a row twice.
    const rows = new Map<string, TrafficDelta>();
    for (const d of deltas) {
      const k = JSON.stringify([d.account, d.hour, d.channel]);
      const had = rows.get(k);
      rows.set(k, had ? {
        ...had, ...Object.fromEntries(COUNTS.map((c) => [c, had[c] + d[c]])),
        latency: had.latency.map((n, i) => n + (d.latency[i] ?? 0)), backlog: Math.max(had.backlog, d.backlog),
      } : d);
    }
    const list = [...rows.values()];
    const column = (c: string) => list.map((d) => {
      if (c === 'account' || c === 'hour' || c === 'channel' || c === 'backlog') return d[c];
      const l = L.indexOf(c);
      return l < 0 ? d[c as keyof TrafficDelta] : d.latency[l] ?? 0;
    });
    await this.db.query(ADD, COLUMNS.map(column));
  }

  async hours(account: string, from: number, to: number, channel?: string): Promise<TrafficHour[]> {
    const rows = await this.db.query<Record<string, number>>(channel === undefined
      ? `SELECT hour, ${SUMS} FROM traffic WHERE account = $1 AND hour >= $2 AND hour < $3 GROUP BY hour ORDER BY hour`
      : `SELECT hour, ${[...COUNTS, ...L, 'backlog'].join(', ')} FROM traffic WHERE account = $1 AND hour >= $2 AND hour < $3 AND channel = $4 ORDER BY hour`,
    [account, from, to, ...(channel === undefined ? [] : [channel])]);
    return rows.map((r) => ({
      hour: r.hour!, ...Object.fromEntries(COUNTS.map((k) => [k, r[k]!])) as Omit<TrafficHour, 'hour' | 'latency' | 'backlog'>,
      latency: L.map((l) => r[l]!), backlog: r.backlog!,
    }));
  }
}
