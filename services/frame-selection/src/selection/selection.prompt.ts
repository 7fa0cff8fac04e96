// The paper's selection prompt lives in @f2f/vlm, so that the benchmarks (tools/bench) run the same code.
export {
  FRAME_SELECTION_INSTRUCTION,
  FRAME_SELECTION_PROMPT_VERSION,
  parseSelectionAnswer,
  type SelectionAnswer,
  selectionInstructionFor,
} from '@f2f/vlm';
