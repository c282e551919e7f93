// One Jest run for the whole repo: unit specs (*.spec.ts) and integration specs (*.int-spec.ts)
// against real PostgreSQL with the real migrations (see apps/api/test/global-setup.ts).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/apps/api/**/*.spec.ts', '<rootDir>/apps/api/**/*.int-spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/admin/test/**/*.e2e-spec.ts', '<rootDir>/bench/**/*.int-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.next/'],
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper: { '^@toolgate/contracts$': '<rootDir>/libs/contracts/src/index.ts' },
  globalSetup: '<rootDir>/apps/api/test/global-setup.ts',
  globalTeardown: '<rootDir>/apps/api/test/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
