// TypeGraphQL's decorators need the Reflect metadata API before any schema module loads.
import 'reflect-metadata';
import { LOGIN_THROTTLE, loginThrottle, MemoryThrottleStore } from '@mingbai/api/auth/login-throttle';
import { newTestTowns } from './builders.ts';

// Files that share a worker process (vitest.config.ts) share its login throttle, and most sign in from 127.0.0.1:
// every file starts with fresh counts, as it would in a process of its own, so one file's deliberate failures never
// throttle the next file's sign-ins.
loginThrottle.useStore(new MemoryThrottleStore(LOGIN_THROTTLE.maxEntries));

// Each file's test villages in a town of its own (builders.ts), also when files share a database handle.
newTestTowns();
