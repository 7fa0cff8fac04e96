export * from './clip-tokenizer';
export * from './learned-metrics';
export * from './manifest';
export * from './pil-resize';
export * from './preprocess';
export * from './evaluation';
