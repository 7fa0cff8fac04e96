export * from './inspect';
export * from './frames';
export * from './base64';
export * from './sniff';
