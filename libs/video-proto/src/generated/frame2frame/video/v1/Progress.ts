// Original file: proto/frame2frame/video/v1/video_generator.proto


export interface Progress {
  'step'?: (number);
  'totalSteps'?: (number);
  'elapsedSeconds'?: (number | string);
}

export interface Progress__Output {
  'step': (number);
  'totalSteps': (number);
  'elapsedSeconds': (number);
}
