export * from './launcher';
export * from './local-platform';
export * from './settings';
