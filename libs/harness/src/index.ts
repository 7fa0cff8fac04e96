export * from './http';
export * from './infra';
export * from './table';
export * from './test-platform';
