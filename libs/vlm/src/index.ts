export * from './vlm';
export * from './openai-compatible-vlm';
export * from './checked-call';
export * from './frame-selection.prompt';
export * from './template-caption';
