export * from './platform.module';
export * from './tokens';
export * from './nest-logger';
export * from './bootstrap';
export * from './service-config';
export * from './graphql';
export * from './tenant-context';
export * from './api-key';
