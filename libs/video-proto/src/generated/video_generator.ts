import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Frame as _frame2frame_video_v1_Frame, Frame__Output as _frame2frame_video_v1_Frame__Output } from './frame2frame/video/v1/Frame';
import type { GenerateRequest as _frame2frame_video_v1_GenerateRequest, GenerateRequest__Output as _frame2frame_video_v1_GenerateRequest__Output } from './frame2frame/video/v1/GenerateRequest';
import type { GenerateResponse as _frame2frame_video_v1_GenerateResponse, GenerateResponse__Output as _frame2frame_video_v1_GenerateResponse__Output } from './frame2frame/video/v1/GenerateResponse';
import type { Progress as _frame2frame_video_v1_Progress, Progress__Output as _frame2frame_video_v1_Progress__Output } from './frame2frame/video/v1/Progress';
import type { Summary as _frame2frame_video_v1_Summary, Summary__Output as _frame2frame_video_v1_Summary__Output } from './frame2frame/video/v1/Summary';
import type { VideoGeneratorClient as _frame2frame_video_v1_VideoGeneratorClient, VideoGeneratorDefinition as _frame2frame_video_v1_VideoGeneratorDefinition } from './frame2frame/video/v1/VideoGenerator';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  frame2frame: {
    video: {
      v1: {
        Frame: MessageTypeDefinition<_frame2frame_video_v1_Frame, _frame2frame_video_v1_Frame__Output>
        GenerateRequest: MessageTypeDefinition<_frame2frame_video_v1_GenerateRequest, _frame2frame_video_v1_GenerateRequest__Output>
        GenerateResponse: MessageTypeDefinition<_frame2frame_video_v1_GenerateResponse, _frame2frame_video_v1_GenerateResponse__Output>
        Progress: MessageTypeDefinition<_frame2frame_video_v1_Progress, _frame2frame_video_v1_Progress__Output>
        Summary: MessageTypeDefinition<_frame2frame_video_v1_Summary, _frame2frame_video_v1_Summary__Output>
        VideoGenerator: SubtypeConstructor<typeof grpc.Client, _frame2frame_video_v1_VideoGeneratorClient> & { service: _frame2frame_video_v1_VideoGeneratorDefinition }
      }
    }
  }
}

