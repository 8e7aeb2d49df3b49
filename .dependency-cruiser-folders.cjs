// Folder cycles, over the imports that exist at run time. A domain's resolvers name the GraphQL edge's `Context`
// type (api/src/graphql/context.ts), and that edge lists the domains' loaders and resolvers: a type-only import is
// erased by the compiler, so it loads nothing and orders nothing, and is no cycle between folders. Folder-scoped rules
// of dependency-cruiser 17 do not take `via`/`viaOnly` (no dependencyTypesNot: ['type-only']), so this second pass
// reads the graph without type-only imports (`tsPreCompilationDeps: false`). Module cycles, type-only ones included,
// stay forbidden by .dependency-cruiser.cjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config reusing its sibling's options
const { options } = require('./.dependency-cruiser.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders are the domains: if two need each other, the line between them is in the wrong place.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(api|db|portal)/src/' },
      to: { circular: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false },
};
