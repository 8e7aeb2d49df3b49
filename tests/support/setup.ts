// TypeGraphQL's decorators need the Reflect metadata API before any schema module loads.
import 'reflect-metadata';
import { newTestTowns } from './builders.ts';

// Each file's test villages in a town of its own (builders.ts), also when files share a database handle.
newTestTowns();
