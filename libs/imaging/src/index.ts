export * from './inspect';
export * from './image-inspector';
export * from './frames';
export * from './base64';
export * from './sniff';
export * from './frame-encoding';
