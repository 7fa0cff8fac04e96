export * from './kafka';
export * from './outbox';
export * from './consumer';
