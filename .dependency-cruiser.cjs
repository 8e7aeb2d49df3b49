// The architecture as rules (ARCHITECTURE.md says why each holds). `pnpm lint:deps` runs them, with the folder
// rules of .dependency-cruiser-folders.cjs.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle means two modules are one: neither can be read, tested or moved alone.',
      severity: 'error',
      from: { path: '^(api|db|portal|tests|bench)/' },
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
      name: 'portal-is-an-api-client',
      comment: 'The portal reads what any client reads, over HTTP: it never imports the API or the database.',
      severity: 'error',
      from: { path: '^portal/src/' },
      to: { path: '^(api|db)/src/' },
    },
    {
      name: 'resolvers-only-from-the-schema',
      comment: 'A resolver is the GraphQL edge: only the schema module lists it; everything else calls services.',
      severity: 'error',
      from: { path: '^api/src/', pathNot: ['^api/src/graphql/schema\\.ts$', '\\.resolver\\.ts$', '\\.test\\.ts$'] },
      to: { path: '\\.resolver\\.ts$' },
    },
    {
      name: 'services-never-import-resolvers',
      comment: 'Services take (db, actor) and serve the GraphQL edge, the CLI and the portal alike.',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: '\\.resolver\\.ts$' },
    },
    {
      name: 'production-never-imports-tests',
      severity: 'error',
      from: { path: '^(api|db|portal)/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '(^tests/|\\.test\\.ts$)' },
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
