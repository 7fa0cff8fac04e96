export * from './client';
export * from './migrate';
export * from './owners';
export * from './provision';
export * from './sql-client';
export * from './tenant';
