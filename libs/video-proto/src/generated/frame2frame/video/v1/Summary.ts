// Original file: proto/frame2frame/video/v1/video_generator.proto

import type { Long } from '@grpc/proto-loader';

export interface Summary {
  'seed'?: (number);
  'modelId'?: (string);
  'modelRevision'?: (string);
  'frameCount'?: (number);
  'computeSeconds'?: (number | string);
  'peakMemoryBytes'?: (number | string | Long);
  'generator'?: (string);
  'isModel'?: (boolean);
}

export interface Summary__Output {
  'seed': (number);
  'modelId': (string);
  'modelRevision': (string);
  'frameCount': (number);
  'computeSeconds': (number);
  'peakMemoryBytes': (string);
  'generator': (string);
  'isModel': (boolean);
}
