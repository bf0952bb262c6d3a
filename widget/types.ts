// The data API's answer for one task: what the relay sends and the widget reads. Every string in
// it may come from a website visitor, so the widget treats all of it as untrusted text.

export interface WidgetChannel {
  kind: string;
  /** The provider's name as its channel declares it ("Chatra"): the widget keeps no list of its own. */
  title: string;
  name: string;
}

export interface WidgetPage {
  url: string;
  title?: string;
  at?: number;
}

export interface WidgetChat {
  channel: WidgetChannel;
  customer: { name?: string; phone?: string; email?: string };
  visitor: { browser?: string; os?: string; device?: string; ip?: string; city?: string; country?: string };
  /** Oldest first, as they were visited. */
  pages: WidgetPage[];
  referrer?: string;
  landing?: string;
  utm: Record<string, string>;
  /** Where the provider shows this conversation to its agents. */
  dashboardUrl?: string;
  /** What the website passed about the visitor (order or user ids…), key → text. */
  siteData?: Record<string, string>;
}

export interface WidgetCall {
  at: number;
  direction: 'in' | 'out';
  status: string;
  phone?: string;
  durationSec?: number;
  employee?: string;
  /** Only when the call was recorded. */
  recordingUrl?: string;
  /** The call's page in the provider's cabinet. */
  cardUrl?: string;
  /** The caller's web-analytics (Google Analytics) client id. */
  analyticsId?: string;
  utm?: Record<string, string>;
  channel?: WidgetChannel;
}

export interface TaskData {
  task: number;
  chat?: WidgetChat;
  /** Newest first. */
  calls: WidgetCall[];
}

/** Where the widget finds its relay; the userscript embeds it, a plain script tag can carry it. */
export interface WidgetConfig {
  relayUrl: string;
  accountId: string;
  key: string;
  /** The account's language (ru, uk, en…): the labels' language when the Planfix page names none the widget speaks. */
  language?: string;
}
