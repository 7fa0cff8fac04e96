export * from './config';
export * from './errors';
export * from './logger';
export * from './retry';
export * from './clock';
export * from './text';
