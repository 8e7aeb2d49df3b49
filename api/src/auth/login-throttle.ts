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

export interface Strikes {
  count: number;
  /** When the first failure of the current window, or the last failure (per username and address), happened. */
  at: number;
}

/** The throttle's four tables. */
export type ThrottleTable = 'pair' | 'address' | 'username';

/**
 * Where the throttle keeps its counts: this process's memory, or the Redis every API process shares
 * (api/src/shared/login-throttle-store.ts), so a guesser spreading tries over the processes behind a balancer meets one
 * throttle. Every write is one step (a count and its time together), so processes never lose each other's failures.
 */
export interface ThrottleStore {
  /** The strikes of the three tables and the familiar time, for one sign-in attempt. */
  read(pair: string, address: string, username: string, familiar: string): Promise<ThrottleState>;
  /** One more failure of a username from an address: a new count once `forgetMs` passed since the last one. */
  countPair(key: string, now: number, forgetMs: number): Promise<void>;
  /** One more failure in a window that starts with its first failure and lasts `windowMs`. */
  countInWindow(table: 'address' | 'username', key: string, now: number, windowMs: number): Promise<void>;
  clearPair(key: string): Promise<void>;
  setFamiliar(key: string, now: number, keepMs: number): Promise<void>;
}

export interface ThrottleState {
  pair: Strikes | undefined;
  address: Strikes | undefined;
  username: Strikes | undefined;
  familiarAt: number | undefined;
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

/** The counts in this process's memory, each table bounded so a flood of made-up names cannot fill it. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly tables: Record<ThrottleTable, Bounded<Strikes>>;
  private readonly familiar: Bounded<number>;

  constructor(maxEntries: number) {
    this.tables = {
      pair: new Bounded(maxEntries),
      address: new Bounded(maxEntries),
      username: new Bounded(maxEntries),
    };
    this.familiar = new Bounded(maxEntries);
  }

  async read(pair: string, address: string, username: string, familiar: string): Promise<ThrottleState> {
    return {
      pair: this.tables.pair.get(pair),
      address: this.tables.address.get(address),
      username: this.tables.username.get(username),
      familiarAt: this.familiar.get(familiar),
    };
  }

  async countPair(key: string, now: number, forgetMs: number): Promise<void> {
    const pair = this.tables.pair.get(key);
    const fresh = !pair || now - pair.at > forgetMs;
    this.tables.pair.set(key, { count: fresh ? 1 : pair.count + 1, at: now });
  }

  async countInWindow(table: 'address' | 'username', key: string, now: number, windowMs: number): Promise<void> {
    const strikes = this.tables[table].get(key);
    if (!strikes || now >= strikes.at + windowMs) this.tables[table].set(key, { count: 1, at: now });
    else this.tables[table].set(key, { count: strikes.count + 1, at: strikes.at });
  }

  async clearPair(key: string): Promise<void> {
    this.tables.pair.delete(key);
  }

  async setFamiliar(key: string, now: number): Promise<void> {
    this.familiar.set(key, now);
  }
}

/**
 * Counts failed sign-ins, in `store` (the shared Redis: api/src/shared/login-throttle-store.ts) or else this
 * throttle's own memory. Each API server makes one (startApiServer) and hands it to its requests
 * (`Context.settings.loginThrottle`), so two servers in one process (tests) never share counts. Unknown usernames
 * count exactly like known ones, so the throttle tells nothing about who has an account. `now` is the clock, so tests
 * can move it.
 */
export class LoginThrottle {
  private readonly store: ThrottleStore;

  constructor(
    private readonly rules: Rules = LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
    store?: ThrottleStore,
  ) {
    this.store = store ?? new MemoryThrottleStore(rules.maxEntries);
  }

  /**
   * Throws LOGIN_THROTTLED, with the seconds to wait, when this username may not be tried from this address yet.
   * Without an address (the operator's command line) nothing is throttled: the operator holds the database anyway.
   */
  async check(username: string, source: string | undefined): Promise<void> {
    if (!source) return;
    const now = this.now();
    const name = normal(username);
    const state = await this.store.read(`${name}|${source}`, source, name, `${name}|${source}`);
    let until = Math.max(this.pairWaitUntil(state.pair, now), windowUntil(state.address, now, this.rules.perAddress));
    if (!this.isFamiliar(state.familiarAt, now)) {
      until = Math.max(until, windowUntil(state.username, now, this.rules.perUsernameFromNewAddresses));
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
    const { familiarAt } = await this.store.read(key, source, name, key);
    await Promise.all([
      this.store.countPair(key, now, this.rules.perUsernameAndAddress.forgetSeconds * 1000),
      this.store.countInWindow('address', source, now, this.rules.perAddress.windowSeconds * 1000),
      this.isFamiliar(familiarAt, now)
        ? undefined
        : this.store.countInWindow('username', name, now, this.rules.perUsernameFromNewAddresses.windowSeconds * 1000),
    ]);
  }

  /** A success clears this username's failures from this address and makes the address familiar to it. */
  async succeeded(username: string, source: string | undefined): Promise<void> {
    if (!source) return;
    const name = normal(username);
    await this.store.clearPair(`${name}|${source}`);
    await this.store.setFamiliar(`${name}|${source}`, this.now(), this.rules.familiarSeconds * 1000);
  }

  private pairWaitUntil(pair: Strikes | undefined, now: number): number {
    const rule = this.rules.perUsernameAndAddress;
    if (!pair || pair.count < rule.failures || now - pair.at > rule.forgetSeconds * 1000) return 0;
    const doublings = Math.min(pair.count - rule.failures, 30);
    const waitSeconds = Math.min(rule.firstWaitSeconds * 2 ** doublings, rule.maxWaitSeconds);
    return pair.at + waitSeconds * 1000;
  }

  private isFamiliar(at: number | undefined, now: number): boolean {
    return at !== undefined && now - at < this.rules.familiarSeconds * 1000;
  }
}

function windowUntil(
  strikes: Strikes | undefined,
  now: number,
  rule: { failures: number; windowSeconds: number },
): number {
  const ends = strikes ? strikes.at + rule.windowSeconds * 1000 : 0;
  return strikes && now < ends && strikes.count >= rule.failures ? ends : 0;
}

function normal(username: string): string {
  return username.trim().toLowerCase().slice(0, 100);
}

function waitLabel(seconds: number): string {
  return seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`;
}

/**
 * The throttle an attempt from `source` answers to: the server's. An attempt without an address (the operator's
 * command line) needs none; one with an address and no throttle is a wiring mistake, refused rather than let through
 * unthrottled.
 */
export function throttleFor(
  throttle: LoginThrottle | undefined,
  source: string | undefined,
): LoginThrottle | undefined {
  if (source && !throttle) throw new Error("a sign-in from an address needs the server's login throttle");
  return throttle;
}
