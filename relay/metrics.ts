import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics. Labels are channel kinds, APIs and outcomes only: never an account id, a
// customer or a secret, so the endpoint can be scraped without exposing tenants.

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'relay_process_' });

export const eventsReceived = new Counter({
  name: 'relay_events_received_total', help: 'Events parsed from accepted webhooks and Planfix callbacks', labelNames: ['kind'], registers: [registry],
});
export const eventsJournaled = new Counter({
  name: 'relay_events_journaled_total', help: 'Events written to the journal (duplicates excluded)', labelNames: ['kind'], registers: [registry],
});
export const eventsDelivered = new Counter({
  name: 'relay_events_delivered_total', help: 'Events whose every Planfix or provider operation succeeded', labelNames: ['kind'], registers: [registry],
});
export const eventsFailed = new Counter({
  name: 'relay_events_failed_total', help: 'Delivery attempts that failed: retry (will be retried) or dead (dead letter)', labelNames: ['kind', 'outcome'], registers: [registry],
});
export const deliveryLatency = new Histogram({
  name: 'relay_delivery_latency_seconds', help: 'From the event being journaled to its delivery', labelNames: ['kind'],
  buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600], registers: [registry],
});
export const planfixCalls = new Counter({
  name: 'relay_planfix_requests_total', help: 'Requests to Planfix by API and outcome (ok, error, retry)', labelNames: ['api', 'outcome'], registers: [registry],
});
export const restLimiterWaits = new Counter({
  name: 'relay_rest_limiter_waits_total', help: 'REST requests that waited for the per-account 1 request/second limiter', registers: [registry],
});
export const admissionRefused = new Counter({
  name: 'relay_admission_refused_total', help: 'Webhooks refused by a channel\'s admission limits (429 rate, new_conversations, new_contacts; 503 backlog); nothing journaled',
  labelNames: ['kind', 'reason'], registers: [registry],
});
export const recoveredEvents = new Counter({
  name: 'relay_recovered_events_total', help: 'Events read from a provider\'s log by reconciliation whose webhook never came, journaled', labelNames: ['kind'], registers: [registry],
});
export const recoveryRequests = new Counter({
  name: 'relay_recovery_requests_total', help: 'Requests reconciliation made to read a provider\'s log, by outcome (ok, error)', labelNames: ['kind', 'outcome'], registers: [registry],
});
export const backlog = new Gauge({ name: 'relay_backlog', help: 'Events journaled and not yet delivered (dead letters excluded)', registers: [registry] });

/** Counts one Planfix request by how it ended; the error still propagates. */
export async function countPlanfix<T>(api: 'chat' | 'rest' | 'telephony', fn: () => Promise<T>, isRetry: (err: unknown) => boolean): Promise<T> {
  try {
    const v = await fn();
    planfixCalls.inc({ api, outcome: 'ok' });
    return v;
  } catch (err) {
    planfixCalls.inc({ api, outcome: isRetry(err) ? 'retry' : 'error' });
    throw err;
  }
}
