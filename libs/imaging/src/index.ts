export * from './inspect';
export * from './frames';
