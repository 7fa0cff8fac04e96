import { type FrameResult, type FrameTask, measureFrame } from './frame-work';

/** The entry point of ThreadedFrameWork's worker threads (piscina calls the default export). */
export default function run(task: FrameTask): Promise<FrameResult> {
  return measureFrame(task);
}
