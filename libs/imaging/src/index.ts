export * from './inspect';
export * from './image-inspector';
export * from './frames';
export * from './base64';
export * from './sniff';
export * from './pixel-metrics';
export * from './collage';
export * from './frame-encoding';
