import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { apiError } from '../errors.ts';

/**
 * Failed sign-ins allowed before LOGIN_THROTTLED, each in a window that starts with the first failure. A username
 * from one address gets few tries; one address across usernames a few more; one username across all addresses a
 * bound on distributed guessing that expires within the hour, so nobody can lock a director out for long.
 */
export const LOGIN_THROTTLE = {
  perUsernameAndAddress: { failures: 5, windowSeconds: 15 * 60 },
  perAddress: { failures: 30, windowSeconds: 15 * 60 },
  perUsername: { failures: 50, windowSeconds: 60 * 60 },
} as const;

type Rule = keyof typeof LOGIN_THROTTLE;

/**
 * Counts failed sign-ins in this process's memory (like the query rate limits). Unknown usernames count exactly like
 * known ones, so the throttle tells nothing about who has an account.
 */
export class LoginThrottle {
  private readonly limiters: Record<Rule, RateLimiterMemory>;

  constructor(rules: typeof LOGIN_THROTTLE = LOGIN_THROTTLE) {
    this.limiters = {
      perUsernameAndAddress: limiter(rules.perUsernameAndAddress),
      perAddress: limiter(rules.perAddress),
      perUsername: limiter(rules.perUsername),
    };
  }

  /** Throws LOGIN_THROTTLED, with the seconds to wait, when any of the counters is used up. */
  async check(username: string, source: string | undefined): Promise<void> {
    let waitMs = 0;
    for (const [rule, key] of this.keys(username, source)) {
      const res = await this.limiters[rule].get(key);
      if (res && res.remainingPoints <= 0) waitMs = Math.max(waitMs, res.msBeforeNext);
    }
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw apiError('LOGIN_THROTTLED', `登录失败次数过多，请 ${waitLabel(seconds)}后再试`, {
        retryAfterSeconds: seconds,
      });
    }
  }

  async failed(username: string, source: string | undefined): Promise<void> {
    for (const [rule, key] of this.keys(username, source)) {
      await this.limiters[rule].consume(key, 1).catch((rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
      });
    }
  }

  /** A success clears this username's failures from this address; the wider counters keep running. */
  async succeeded(username: string, source: string | undefined): Promise<void> {
    if (source) await this.limiters.perUsernameAndAddress.delete(`${normal(username)}|${source}`);
  }

  private keys(username: string, source: string | undefined): [Rule, string][] {
    const name = normal(username);
    const keys: [Rule, string][] = [['perUsername', name]];
    if (source) keys.push(['perUsernameAndAddress', `${name}|${source}`], ['perAddress', source]);
    return keys;
  }
}

function limiter(rule: { failures: number; windowSeconds: number }): RateLimiterMemory {
  return new RateLimiterMemory({ points: rule.failures, duration: rule.windowSeconds });
}

function normal(username: string): string {
  return username.trim().toLowerCase().slice(0, 100);
}

function waitLabel(seconds: number): string {
  return seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`;
}

/** The process's throttle, shared by every API server it runs (the API and the CLI). */
export const loginThrottle = new LoginThrottle();
