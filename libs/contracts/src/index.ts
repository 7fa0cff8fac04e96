export * from './topics';
export * from './envelope';
export * from './events';
export * from './edit-status';
export * from './edit-update-view';
export * from './feed-cursor';
export * from './edit-history-types';
