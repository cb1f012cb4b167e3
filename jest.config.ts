import type { Config } from 'jest';

const moduleNameMapper = {
  '^@app/domain(|/.*)$': '<rootDir>/libs/domain/src$1',
  '^@app/event-log(|/.*)$': '<rootDir>/libs/event-log/src$1',
  '^@app/read-model(|/.*)$': '<rootDir>/libs/read-model/src$1',
  '^@app/decisions(|/.*)$': '<rootDir>/libs/decisions/src$1',
  '^@app/projection(|/.*)$': '<rootDir>/libs/projection/src$1',
  '^@app/platform(|/.*)$': '<rootDir>/libs/platform/src$1',
};

const common = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] as [string, object] },
  testEnvironment: 'node',
  moduleNameMapper,
};

const config: Config = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/*.spec.ts'],
    },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};

export default config;
