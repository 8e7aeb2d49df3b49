import type { CodegenConfig } from '@graphql-codegen/cli';

// The portal's queries, typed from the API's committed schema: a schema change that breaks a page fails the build.
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  // One file per feature (queries-*.ts) besides the shared one, so features can add queries side by side.
  documents: ['src/lib/queries.ts', 'src/lib/queries-*.ts'],
  generates: {
    'src/lib/generated/graphql.ts': {
      plugins: ['typescript-operations'],
      config: {
        scalars: { DateTime: 'string', ID: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        skipTypename: true,
      },
    },
  },
  hooks: { afterAllFileWrite: ['prettier --write'] },
};
export default config;
