export * from './vlm';
export * from './openai-compatible-vlm';
