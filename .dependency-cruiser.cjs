// The architecture as rules (ARCHITECTURE.md says why each holds). `pnpm lint:deps` runs them, with the folder
// rules of .dependency-cruiser-folders.cjs.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle means two modules are one: neither can be read, tested or moved alone.',
      severity: 'error',
      from: { path: '^(api|common|db|portal|tests|bench)/' },
      to: { circular: true },
    },
    {
      name: 'db-is-the-bottom-layer',
      comment: 'db/ holds the ledger and its rules for every caller (API, CLI, seed): it never knows the API.',
      severity: 'error',
      from: { path: '^db/src/' },
      to: { path: '^(api|portal)/' },
    },
    {
      name: 'common-imports-nothing-of-ours',
      comment:
        '@mingbai/common holds the few lines the API and the portal both run: it may not reach into either, nor the ' +
        'database, or the portal would reach them through it.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(api|db|portal|tests|bench|scripts)/' },
    },
    {
      name: 'portal-is-an-api-client',
      comment: 'The portal reads what any client reads, over HTTP: it never imports the API or the database.',
      severity: 'error',
      from: { path: '^portal/src/' },
      to: { path: '^(api|db)/src/' },
    },
    {
      name: 'verify-reads-only-public-files',
      comment:
        'The verifier (pnpm verify) checks what anyone can download: it shares the canonical text (digest.ts) and ' +
        'nothing that reaches a database or the API, so it cannot pass by reading what the public cannot.',
      severity: 'error',
      from: { path: '^api/src/verify/' },
      to: { path: '^(api/src/(?!verify/)|db/src/(?!ledger/(digest|privacy|merkle)\\.ts$))' },
    },
    {
      name: 'resolvers-only-from-the-schema',
      comment: 'A resolver is the GraphQL edge: only the schema module lists it; everything else calls services.',
      severity: 'error',
      from: { path: '^api/src/', pathNot: ['^api/src/graphql/schema\\.ts$', '\\.test\\.ts$'] },
      to: { path: '\\.resolver\\.ts$' },
    },
    ...[
      ['regions', 'villages|statements|vouchers'],
      ['villages', 'statements|vouchers'],
      ['statements', 'vouchers|review'],
      ['vouchers', 'review'],
    ].map(([lower, upper]) => ({
      name: `${lower}-never-import-${upper.replace(/\|/g, '-')}`,
      comment:
        'The read domains stack: vouchers → statements → villages → regions. A field that joins two of them lives ' +
        'in the upper one (Region.villages is in villages/, Village.statement in statements/).',
      severity: 'error',
      from: { path: `^api/src/${lower}/` },
      to: { path: `^api/src/(${upper})/` },
    })),
    {
      name: 'domains-see-only-the-context-type',
      comment:
        'graphql/context.ts builds every loader: a domain names its Context type, never runs it (the CLI and ' +
        'server, at the edge, do). Otherwise the domains and the edge would need each other.',
      severity: 'error',
      from: {
        path: '^api/src/(regions|villages|statements|vouchers|committee|review|questions|auth|imports|opendata|limits)/',
      },
      to: { path: '^api/src/graphql/context\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-never-import-resolvers',
      comment: 'Services take (db, actor) and serve the GraphQL edge, the CLI and the portal alike.',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: '\\.resolver\\.ts$' },
    },
    {
      name: 'services-never-take-the-context',
      comment: "A service takes (db, actor): the GraphQL context is the edge's, so the CLI can call every service.",
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: '^api/src/graphql/context\\.ts$' },
    },
    {
      name: 'the-cli-is-not-a-graphql-request',
      comment: "The CLI calls services with (db, actor): it never builds the public API's loaders to act.",
      severity: 'error',
      from: { path: '^api/src/cli/' },
      to: { path: '^api/src/graphql/' },
    },
    {
      name: 'production-never-imports-tests',
      severity: 'error',
      comment: 'Test helpers beside the code (test-support.ts) count as tests.',
      from: { path: '^(api|db|portal)/src/', pathNot: '(\\.test|test-support)\\.ts$' },
      to: { path: '(^tests/|(\\.test|test-support)\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '(^|/)dist/', '\\.astro/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
