// Original file: proto/frame2frame/video/v1/video_generator.proto


export interface GenerateRequest {
  'requestId'?: (string);
  'image'?: (Buffer | Uint8Array | string);
  'prompt'?: (string);
  'numFrames'?: (number);
  'numInferenceSteps'?: (number);
  'guidanceScale'?: (number | string);
  'fps'?: (number);
  'seed'?: (number);
  'width'?: (number);
  'height'?: (number);
  'model'?: (string);
}

export interface GenerateRequest__Output {
  'requestId': (string);
  'image': (Buffer);
  'prompt': (string);
  'numFrames': (number);
  'numInferenceSteps': (number);
  'guidanceScale': (number);
  'fps': (number);
  'seed': (number);
  'width': (number);
  'height': (number);
  'model': (string);
}
