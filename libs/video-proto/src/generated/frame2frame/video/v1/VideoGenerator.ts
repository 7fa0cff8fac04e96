// Original file: proto/frame2frame/video/v1/video_generator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GenerateRequest as _frame2frame_video_v1_GenerateRequest, GenerateRequest__Output as _frame2frame_video_v1_GenerateRequest__Output } from '../../../frame2frame/video/v1/GenerateRequest';
import type { GenerateResponse as _frame2frame_video_v1_GenerateResponse, GenerateResponse__Output as _frame2frame_video_v1_GenerateResponse__Output } from '../../../frame2frame/video/v1/GenerateResponse';

export interface VideoGeneratorClient extends grpc.Client {
  Generate(argument: _frame2frame_video_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_frame2frame_video_v1_GenerateResponse__Output>;
  Generate(argument: _frame2frame_video_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_frame2frame_video_v1_GenerateResponse__Output>;
  generate(argument: _frame2frame_video_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_frame2frame_video_v1_GenerateResponse__Output>;
  generate(argument: _frame2frame_video_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_frame2frame_video_v1_GenerateResponse__Output>;
  
}

export interface VideoGeneratorHandlers extends grpc.UntypedServiceImplementation {
  Generate: grpc.handleServerStreamingCall<_frame2frame_video_v1_GenerateRequest__Output, _frame2frame_video_v1_GenerateResponse>;
  
}

export interface VideoGeneratorDefinition extends grpc.ServiceDefinition {
  Generate: MethodDefinition<_frame2frame_video_v1_GenerateRequest, _frame2frame_video_v1_GenerateResponse, _frame2frame_video_v1_GenerateRequest__Output, _frame2frame_video_v1_GenerateResponse__Output>
}
