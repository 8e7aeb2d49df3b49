// The supervision API as other layers import it (see README.md): implemented in ../ledger/approvals.ts, because publishing
// (ledger/publish.ts) needs it and db/src folders never import each other both ways.
export * from '../ledger/approvals.ts';
