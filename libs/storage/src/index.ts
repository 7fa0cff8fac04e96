export * from './blob-store';
export * from './filesystem-blob-store';
