// The supervision API as other layers import it (see README.md): implemented in ../ledger/flag-keys.ts, because publishing
// (ledger/publish.ts) needs it and db/src folders never import each other both ways.
export * from '../ledger/flag-keys.ts';
