import { UTM_KEYS } from './events.ts';

// Free of zod: the admin page draws a row for each of these.

/** Visitor details that can be written to task fields with `data_<name>`. */
export const FIELD_KEYS = [...UTM_KEYS, 'city', 'country', 'ip', 'browser', 'os', 'device', 'referrer', 'landing', 'pages'] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];
