export * from './http';
export * from './infra';
export * from './table';
export * from './test-platform';
export * from './source-image';
