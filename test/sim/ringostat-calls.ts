// The Ringostat fake's call log: `GET /calls/list` (docs/reference/channels.md §3.5). Rows are in
// the documented shape (variables under Ringostat's own names, `calldate` with a `+0300`-style
// offset, numbers and strings mixed as the published samples mix them), written by the test, not
// copied from anywhere. Choices the documentation leaves open are marked where they are made.

/** A call as a test describes it; the row's other variables default to an answered incoming call. */
export interface CallSpec {
  uniqueid: string;
  /** When it began (ms); the row's `calldate` is this moment in the log's zone. */
  at: number;
  caller: string;
  [variable: string]: unknown;
}

export interface CallListQuery {
  projectId?: string;
  from?: string;
  to?: string;
  fields?: string;
  order?: string;
  exportType?: string;
}

const WALL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** The moment on the zone's wall clock, `YYYY-MM-DD HH:MM:SS`, and the zone's offset then, `+0300`. */
export function wallClock(ms: number, timeZone: string): { wall: string; offset: string } {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  const minutes = Math.round((Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  const abs = Math.abs(minutes);
  return { wall, offset: `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}` };
}

export class CallLog {
  /** The log's rows, in the order the calls were added. */
  readonly rows: Record<string, unknown>[] = [];

  /**
   * `timeZone`: the project's, in which `calldate` is written and `from` / `to` are read (sim
   * choice: the documentation does not say which zone they are in). `maxRows`: the most rows one
   * answer holds; the rest of the span is not sent (sim choice: "about 6500 calls per request").
   */
  constructor(readonly timeZone: string, readonly maxRows: number) {}

  add(call: CallSpec): Record<string, unknown> {
    const { at, ...vars } = call;
    const { wall, offset } = wallClock(at, this.timeZone);
    const row: Record<string, unknown> = {
      calldate: `${wall.replace(' ', 'T')}${offset}`, call_type: 'in', dst: '380443334455', disposition: 'ANSWERED', billsec: 30, duration: 41,
      waittime: '11', duration_ms: '41000', connected_with: '380671112233', employee_number: -1, department: -1, has_recording: '0',
      recording: `https://app.ringostat.com/recordings/${call.uniqueid}.ogg?token=t`, utm_source: '(direct)', utm_medium: '(none)',
      ...vars,
    };
    this.rows.push(row);
    return row;
  }

  /** Changes a row in place (a call in progress that ended). */
  update(uniqueid: string, vars: Record<string, unknown>): void {
    const row = this.rows.find((r) => r.uniqueid === uniqueid);
    if (!row) throw new Error(`no call ${uniqueid} in the log`);
    Object.assign(row, vars);
  }

  /** The answer to a request the key and project were checked for; a 400 for a malformed one. */
  answer(q: CallListQuery): { status: number; body: unknown } {
    // Sim choice: Ringostat's refusals of bad parameters are undocumented; a 400 naming the parameter.
    if (q.exportType !== 'json') return { status: 400, body: { message: 'export_type must be json' } };
    if (!q.from || !WALL.test(q.from)) return { status: 400, body: { message: 'from must be YYYY-MM-DD HH:MM:SS' } };
    if (!q.to || !WALL.test(q.to)) return { status: 400, body: { message: 'to must be YYYY-MM-DD HH:MM:SS' } };
    const fields = q.fields ? q.fields.split(',').map((f) => f.trim()).filter(Boolean) : undefined;
    const wallOf = (r: Record<string, unknown>) => String(r.calldate).slice(0, 19).replace('T', ' ');
    // Sim choice: both ends inclusive, compared on the wall clock of the project's zone.
    const hits = this.rows.filter((r) => wallOf(r) >= q.from! && wallOf(r) <= q.to!)
      .sort((a, b) => wallOf(a).localeCompare(wallOf(b)) * (/desc/i.test(q.order ?? '') ? -1 : 1))
      .slice(0, this.maxRows);
    return { status: 200, body: hits.map((r) => (fields ? Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])) : { ...r })) };
  }
}
