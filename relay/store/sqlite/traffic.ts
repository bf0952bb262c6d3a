import { COUNTS, LATENCY_BOUNDS, type TrafficDelta, type TrafficHour } from '../../core/traffic.ts';
import type { TrafficLog } from '../store.ts';
import type { Db } from './db.ts';

const L = LATENCY_BOUNDS.map((_, i) => `l${i}`).concat(`l${LATENCY_BOUNDS.length}`);
const ADDED = [...COUNTS, ...L];

/**
 * The traffic rollup in `traffic` (schema.ts). Adds are upserts that sum into the hour's row, so
 * a recorder flushing the same hour twice, or two relays sharing a database, add up rightly.
 */
export class SqliteTraffic implements TrafficLog {
  private readonly st;

  constructor(private readonly db: Db) {
    const q = (sql: string) => db.sql.prepare(sql);
    const cols = ['account', 'hour', 'channel', ...ADDED, 'backlog'];
    const sums = `${COUNTS.map((k) => `SUM(${k}) AS ${k}`).join(', ')}, ${L.map((l) => `SUM(${l}) AS ${l}`).join(', ')}`;
    this.st = {
      add: q(`INSERT INTO traffic (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
        ON CONFLICT (account, hour, channel) DO UPDATE SET ${ADDED.map((k) => `${k} = ${k} + excluded.${k}`).join(', ')},
        backlog = MAX(backlog, excluded.backlog)`),
      // Both by the primary key: account = ? and a range of hour, the channels of each hour beside
      // each other (at most 168 hours of a few channels, whatever the history kept).
      all: q(`SELECT hour, ${sums}, SUM(backlog) AS backlog FROM traffic WHERE account = ? AND hour >= ? AND hour < ? GROUP BY hour ORDER BY hour`),
      one: q(`SELECT hour, ${COUNTS.join(', ')}, ${L.join(', ')}, backlog FROM traffic WHERE account = ? AND hour >= ? AND hour < ? AND channel = ? ORDER BY hour`),
    };
  }

  add(deltas: TrafficDelta[]): Promise<void> {
    if (!deltas.length) return Promise.resolve();
    return this.db.write(() => {
      for (const d of deltas) {
        this.st.add.run(d.account, d.hour, d.channel, ...COUNTS.map((k) => d[k]), ...L.map((_, i) => d.latency[i] ?? 0), d.backlog);
      }
    });
  }

  hours(account: string, from: number, to: number, channel?: string): Promise<TrafficHour[]> {
    const rows = (channel === undefined ? this.st.all.all(account, from, to) : this.st.one.all(account, from, to, channel)) as Record<string, number>[];
    return Promise.resolve(rows.map((r) => ({
      hour: r.hour!, ...Object.fromEntries(COUNTS.map((k) => [k, r[k]!])) as Omit<TrafficHour, 'hour' | 'latency' | 'backlog'>,
      latency: L.map((l) => r[l]!), backlog: r.backlog!,
    })));
  }
}
