// The collage lives in @f2f/imaging, so that the benchmarks (tools/bench) run the same code.
export { buildCollage, COLLAGE_SIZE, COLLAGE_STEP, collageFrameIndices } from '@f2f/imaging';
