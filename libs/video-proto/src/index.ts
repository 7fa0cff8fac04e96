export * from './loader';
export type {
  GenerateRequest,
  GenerateRequest__Output,
} from './generated/frame2frame/video/v1/GenerateRequest';
export type {
  GenerateResponse,
  GenerateResponse__Output,
} from './generated/frame2frame/video/v1/GenerateResponse';
export type { Summary__Output } from './generated/frame2frame/video/v1/Summary';
export type {
  VideoGeneratorClient,
  VideoGeneratorHandlers,
} from './generated/frame2frame/video/v1/VideoGenerator';
export type { HealthClient } from './generated/grpc/health/v1/Health';
