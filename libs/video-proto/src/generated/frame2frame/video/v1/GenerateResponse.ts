// Original file: proto/frame2frame/video/v1/video_generator.proto

import type { Progress as _frame2frame_video_v1_Progress, Progress__Output as _frame2frame_video_v1_Progress__Output } from '../../../frame2frame/video/v1/Progress';
import type { Frame as _frame2frame_video_v1_Frame, Frame__Output as _frame2frame_video_v1_Frame__Output } from '../../../frame2frame/video/v1/Frame';
import type { Summary as _frame2frame_video_v1_Summary, Summary__Output as _frame2frame_video_v1_Summary__Output } from '../../../frame2frame/video/v1/Summary';

export interface GenerateResponse {
  'progress'?: (_frame2frame_video_v1_Progress | null);
  'frame'?: (_frame2frame_video_v1_Frame | null);
  'summary'?: (_frame2frame_video_v1_Summary | null);
  'event'?: "progress"|"frame"|"summary";
}

export interface GenerateResponse__Output {
  'progress'?: (_frame2frame_video_v1_Progress__Output | null);
  'frame'?: (_frame2frame_video_v1_Frame__Output | null);
  'summary'?: (_frame2frame_video_v1_Summary__Output | null);
  'event'?: "progress"|"frame"|"summary";
}
