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
  /** The Planfix task it went to (in a customer's history). */
  task?: number;
}

export interface TaskData {
  task: number;
  chat?: WidgetChat;
  /** Newest first. */
  calls: WidgetCall[];
  /** The customer's other conversations and calls, on any channel; absent when they have none. */
  customer?: CustomerData;
}

/** Where a visit came from. */
export interface WidgetSource {
  at: number;
  channel?: WidgetChannel;
  referrer?: string;
  landing?: string;
  utm: Record<string, string>;
}

/** One conversation in a customer's history: one channel's thread, and the task it is in now. */
export interface WidgetConversation {
  channel: WidgetChannel;
  /** When the customer was last heard from in it. */
  at: number;
  task?: number;
  /** The customer's last message: its first line, or what it carried instead of words. */
  last?: { text: string; attachment?: string; content?: string };
}

/** A page of a customer's history, newest first; `more` is where the next starts (`?after=`). */
export interface HistoryList<T> {
  items: T[];
  more?: string;
}

/** The customer across the account's channels. */
export interface CustomerData {
  /** The first visit with a source the relay saw, and the latest (absent when it is the same). */
  first?: WidgetSource;
  latest?: WidgetSource;
  conversations: HistoryList<WidgetConversation>;
  calls: HistoryList<WidgetCall>;
}

/** The data API's answer for a Planfix contact page. */
export interface ContactData {
  contact: number;
  customer: CustomerData;
}

/** Where the widget finds its relay; the userscript embeds it, a plain script tag can carry it. */
export interface WidgetConfig {
  relayUrl: string;
  accountId: string;
  key: string;
  /** The account's language (ru, uk, en…): the labels' language when the Planfix page names none the widget speaks. */
  language?: string;
}
