/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/sim/polyfills.ts'],
  collectCoverageFrom: ['functions/**/*.ts'],
  // Whole workflows run on the simulator: seconds of CPU on a shared machine. Nothing asserts wall time.
  testTimeout: 60_000,
};
