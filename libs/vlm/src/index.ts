export * from './vlm';
export * from './openai-compatible-vlm';
export * from './checked-call';
