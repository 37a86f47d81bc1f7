import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the schema flowdeck serves (../schema/schema.graphql, exported from
// the Strawberry schema). Documents are embedded as strings: the client sends them with fetch
// and graphql-ws, no GraphQL AST in the bundle.
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        documentMode: 'string',
        onlyOperationTypes: true,
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
  silent: true,
};

export default config;
