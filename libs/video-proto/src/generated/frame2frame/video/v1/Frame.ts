// Original file: proto/frame2frame/video/v1/video_generator.proto


export interface Frame {
  'index'?: (number);
  'png'?: (Buffer | Uint8Array | string);
  'width'?: (number);
  'height'?: (number);
}

export interface Frame__Output {
  'index': (number);
  'png': (Buffer);
  'width': (number);
  'height': (number);
}
