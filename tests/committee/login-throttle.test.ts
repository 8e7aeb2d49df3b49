// Sign-in throttling slows guessing without becoming a weapon: failures from other addresses never lock the real
// user out of their own. The clock is the throttle's parameter, so no test waits.
import { describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE, LoginThrottle } from '@mingbai/api/auth/login-throttle';

function aThrottle() {
  let now = Date.parse('2026-12-06T09:00:00Z');
  const throttle = new LoginThrottle(LOGIN_THROTTLE, () => now);
  const outcome = async (user: string, address: string) => {
    try {
      await throttle.check(user, `ip:${address}`);
      return 'ok';
    } catch (error) {
      const e = error as { extensions: { code: string; retryAfterSeconds: number } };
      return `${e.extensions.code}:${e.extensions.retryAfterSeconds}`;
    }
  };
  const fail = (user: string, address: string) => throttle.failed(user, `ip:${address}`);
  return { throttle, outcome, fail, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('the sign-in throttle', () => {
  it('lets the director in from their own address after 50 failures from a few others', async () => {
    const { throttle, outcome, fail } = aThrottle();
    await throttle.succeeded('zhuren', 'ip:10.0.0.7'); // the director's own office, where they signed in before
    const attackers = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
    for (let i = 0; i < 50; i++) await fail('zhuren', attackers[i % attackers.length]!);

    expect(await outcome('zhuren', '10.0.0.7')).toBe('ok');
    for (const a of attackers) expect(await outcome('zhuren', a)).toMatch(/^LOGIN_THROTTLED:/);
    // An address never used by this account is held up while the guessing goes on, and freed when it stops.
    expect(await outcome('zhuren', '198.51.100.77')).toMatch(/^LOGIN_THROTTLED:/);
  });

  it('makes each further failure from one address wait twice as long, up to a cap, and a success clears it', async () => {
    const { throttle, outcome, fail, advance } = aThrottle();
    const rule = LOGIN_THROTTLE.perUsernameAndAddress;
    for (let i = 0; i < rule.failures - 1; i++) await fail('kuaiji', '192.0.2.1');
    expect(await outcome('kuaiji', '192.0.2.1')).toBe('ok');
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await fail('kuaiji', '192.0.2.1');
      const refused = await outcome('kuaiji', '192.0.2.1');
      const seconds = Number(refused.split(':')[1]);
      waits.push(seconds);
      advance(seconds);
      expect(await outcome('kuaiji', '192.0.2.1')).toBe('ok');
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    // Another address is not held up at all.
    expect(await outcome('kuaiji', '192.0.2.2')).toBe('ok');
    await throttle.succeeded('kuaiji', 'ip:192.0.2.1');
    await fail('kuaiji', '192.0.2.1');
    expect(await outcome('kuaiji', '192.0.2.1')).toBe('ok');
  });

  it('holds up one address spraying many accounts, for those accounts and any other', async () => {
    const { outcome, fail, advance } = aThrottle();
    for (let i = 0; i < LOGIN_THROTTLE.perAddress.failures; i++) await fail(`user-${i}`, '203.0.113.50');
    expect(await outcome('someone-new', '203.0.113.50')).toMatch(/^LOGIN_THROTTLED:/);
    expect(await outcome('someone-new', '203.0.113.51')).toBe('ok');
    advance(LOGIN_THROTTLE.perAddress.windowSeconds);
    expect(await outcome('someone-new', '203.0.113.50')).toBe('ok');
  });

  it('forgets the oldest entries beyond its size, so made-up names cannot fill the memory', async () => {
    let now = 0;
    const small = new LoginThrottle({ ...LOGIN_THROTTLE, maxEntries: 3 }, () => now);
    for (let i = 0; i < 5; i++) await small.failed('a', 'ip:192.0.2.9');
    await expect(small.check('a', 'ip:192.0.2.9')).rejects.toMatchObject({
      extensions: { code: 'LOGIN_THROTTLED' },
    });
    for (let i = 0; i < 3; i++) await small.failed(`other-${i}`, `ip:192.0.2.${20 + i}`);
    now += 1;
    await expect(small.check('a', 'ip:192.0.2.9')).resolves.toBeUndefined();
  });

  it('never throttles the operator at the command line, who has no address', async () => {
    const { throttle } = aThrottle();
    for (let i = 0; i < 100; i++) await throttle.failed('zhuren', undefined);
    await expect(throttle.check('zhuren', undefined)).resolves.toBeUndefined();
  });
});
