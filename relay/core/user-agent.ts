import Bowser from 'bowser';

/** Browser, OS and device as people read them ("Chrome 120", "Windows 10", "Mobile, Apple iPhone"). */
export interface UserAgentInfo {
  browser?: string;
  os?: string;
  device?: string;
}

/**
 * Providers sometimes pass the whole User-Agent header where a browser name is expected; those
 * strings are worth parsing rather than showing (or writing to a task field) as they are.
 */
export function looksLikeUserAgent(s: string | undefined): s is string {
  return !!s && /^Mozilla\/\d|AppleWebKit\/|Gecko\/\d|^Opera\/|^Dalvik\//.test(s);
}

const words = (...parts: (string | undefined)[]) => parts.map((p) => p?.trim()).filter(Boolean).join(' ') || undefined;
const capital = (s: string | undefined) => (s ? s[0]!.toUpperCase() + s.slice(1) : undefined);

/**
 * A raw user-agent string turned into browser / OS / device with bowser (a maintained, MIT
 * parser) instead of regexes of our own that would rot with every browser release.
 */
export function parseUserAgent(ua: string | undefined): UserAgentInfo {
  // Headers are short; a huge value is junk or an attack on the parser's regexes.
  if (!ua?.trim() || ua.length > 2000) return {};
  let r: Bowser.Parser.ParsedResult;
  try {
    r = Bowser.parse(ua);
  } catch {
    return {};
  }
  const major = r.browser.version?.split('.')[0];
  const model = words(r.platform.vendor, r.platform.model);
  const device = capital(r.platform.type);
  const info: UserAgentInfo = {
    browser: r.browser.name ? words(r.browser.name, major) : undefined,
    os: r.os.name ? words(r.os.name, r.os.versionName ?? r.os.version) : undefined,
    device: device && model ? `${device}, ${model}` : device ?? model,
  };
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v)) as UserAgentInfo;
}
