/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Integration tests start servers and child processes: give them time, run files one or two at a time.
  testTimeout: 60_000,
  maxWorkers: 2,
};
