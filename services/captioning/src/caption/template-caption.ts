// The template caption lives in @f2f/vlm, so that the benchmarks (tools/bench) run the same code.
export { TEMPLATE_CAPTION_VERSION, templateTemporalCaption } from '@f2f/vlm';
