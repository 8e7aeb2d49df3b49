import { apiError } from '../errors.ts';

/**
 * How failed sign-ins slow down guessing without handing anyone a way to lock a real user out.
 *
 * - One username from one address: `failures` free tries, then a wait before each next try that starts at
 *   `firstWaitSeconds` and doubles with every further failure, up to `maxWaitSeconds`. A success clears it. This is
 *   the only rule that ever holds up a username, so failures from other addresses never lock its owner out.
 * - One address across every username (spraying one password over many accounts): a broad count per window.
 * - One username across addresses it was never signed in from (guessing from many addresses at once): a count per
 *   window that holds up only unfamiliar addresses; an address this username signed in from before passes.
 */
export const LOGIN_THROTTLE = {
  perUsernameAndAddress: { failures: 5, firstWaitSeconds: 30, maxWaitSeconds: 15 * 60, forgetSeconds: 24 * 60 * 60 },
  perAddress: { failures: 30, windowSeconds: 15 * 60 },
  perUsernameFromNewAddresses: { failures: 50, windowSeconds: 60 * 60 },
  /** How long an address stays familiar for a username after signing in from it. */
  familiarSeconds: 30 * 24 * 60 * 60,
  /** Entries kept per table, so a flood of made-up names cannot fill the memory; the oldest go first. */
  maxEntries: 100_000,
};

type Rules = typeof LOGIN_THROTTLE;

interface Strikes {
  count: number;
  /** When the first failure of the current window, or the last failure (per username and address), happened. */
  at: number;
}

/** A Map that forgets its least recently touched entries beyond a size. */
class Bounded<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

/**
 * Counts failed sign-ins in this process's memory (like the query rate limits). Unknown usernames count exactly like
 * known ones, so the throttle tells nothing about who has an account. `now` is the clock, so tests can move it.
 */
export class LoginThrottle {
  private readonly pair: Bounded<Strikes>;
  private readonly address: Bounded<Strikes>;
  private readonly username: Bounded<Strikes>;
  private readonly familiar: Bounded<number>;

  constructor(
    private readonly rules: Rules = LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {
    this.pair = new Bounded(rules.maxEntries);
    this.address = new Bounded(rules.maxEntries);
    this.username = new Bounded(rules.maxEntries);
    this.familiar = new Bounded(rules.maxEntries);
  }

  /**
   * Throws LOGIN_THROTTLED, with the seconds to wait, when this username may not be tried from this address yet.
   * Without an address (the operator's command line) nothing is throttled: the operator holds the database anyway.
   */
  async check(username: string, source: string | undefined): Promise<void> {
    if (!source) return;
    const now = this.now();
    const name = normal(username);
    let until = Math.max(
      this.pairWaitUntil(name, source, now),
      this.windowUntil(this.address, source, now, this.rules.perAddress),
    );
    if (!this.isFamiliar(name, source, now)) {
      until = Math.max(until, this.windowUntil(this.username, name, now, this.rules.perUsernameFromNewAddresses));
    }
    if (until > now) {
      const seconds = Math.max(1, Math.ceil((until - now) / 1000));
      throw apiError('LOGIN_THROTTLED', `登录失败次数过多，请 ${waitLabel(seconds)}后再试`, {
        retryAfterSeconds: seconds,
      });
    }
  }

  async failed(username: string, source: string | undefined): Promise<void> {
    if (!source) return;
    const now = this.now();
    const name = normal(username);
    const key = `${name}|${source}`;
    const pair = this.pair.get(key);
    const fresh = !pair || now - pair.at > this.rules.perUsernameAndAddress.forgetSeconds * 1000;
    this.pair.set(key, { count: fresh ? 1 : pair.count + 1, at: now });
    this.countInWindow(this.address, source, now, this.rules.perAddress.windowSeconds);
    if (!this.isFamiliar(name, source, now)) {
      this.countInWindow(this.username, name, now, this.rules.perUsernameFromNewAddresses.windowSeconds);
    }
  }

  /** A success clears this username's failures from this address and makes the address familiar to it. */
  async succeeded(username: string, source: string | undefined): Promise<void> {
    if (!source) return;
    const name = normal(username);
    this.pair.delete(`${name}|${source}`);
    this.familiar.set(`${name}|${source}`, this.now());
  }

  private pairWaitUntil(name: string, source: string, now: number): number {
    const rule = this.rules.perUsernameAndAddress;
    const pair = this.pair.get(`${name}|${source}`);
    if (!pair || pair.count < rule.failures || now - pair.at > rule.forgetSeconds * 1000) return 0;
    const doublings = Math.min(pair.count - rule.failures, 30);
    const waitSeconds = Math.min(rule.firstWaitSeconds * 2 ** doublings, rule.maxWaitSeconds);
    return pair.at + waitSeconds * 1000;
  }

  private windowUntil(
    table: Bounded<Strikes>,
    key: string,
    now: number,
    rule: { failures: number; windowSeconds: number },
  ): number {
    const strikes = table.get(key);
    const ends = strikes ? strikes.at + rule.windowSeconds * 1000 : 0;
    return strikes && now < ends && strikes.count >= rule.failures ? ends : 0;
  }

  private countInWindow(table: Bounded<Strikes>, key: string, now: number, windowSeconds: number): void {
    const strikes = table.get(key);
    if (!strikes || now >= strikes.at + windowSeconds * 1000) table.set(key, { count: 1, at: now });
    else table.set(key, { count: strikes.count + 1, at: strikes.at });
  }

  private isFamiliar(name: string, source: string, now: number): boolean {
    const at = this.familiar.get(`${name}|${source}`);
    return at !== undefined && now - at < this.rules.familiarSeconds * 1000;
  }
}

function normal(username: string): string {
  return username.trim().toLowerCase().slice(0, 100);
}

function waitLabel(seconds: number): string {
  return seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`;
}

/** The process's throttle, shared by every API server it runs (the API and the CLI). */
export const loginThrottle = new LoginThrottle();
