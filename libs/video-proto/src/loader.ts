import path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

import type { ProtoGrpcType as HealthProto } from './generated/health';
import type { ProtoGrpcType as VideoProto } from './generated/video_generator';

/** The repository's proto/ folder (the same depth from src/ and dist/). */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

/** Must match the options scripts/codegen.js generates the types with. */
const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

let cached: { video: VideoProto; health: HealthProto } | undefined;

export function loadProtos(): { video: VideoProto; health: HealthProto } {
  if (!cached) {
    const video = protoLoader.loadSync('frame2frame/video/v1/video_generator.proto', LOADER_OPTIONS);
    const health = protoLoader.loadSync('grpc/health/v1/health.proto', LOADER_OPTIONS);
    cached = {
      video: grpc.loadPackageDefinition(video) as unknown as VideoProto,
      health: grpc.loadPackageDefinition(health) as unknown as HealthProto,
    };
  }
  return cached;
}

/** Fully qualified name, as registered with the health service. */
export const VIDEO_GENERATOR_SERVICE = 'frame2frame.video.v1.VideoGenerator';

/** Largest message either side accepts: a source image of up to 20 MiB plus headroom. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export function videoGeneratorClient(
  address: string,
): InstanceType<VideoProto['frame2frame']['video']['v1']['VideoGenerator']> {
  const { video } = loadProtos();
  return new video.frame2frame.video.v1.VideoGenerator(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
}

export function healthClient(address: string): InstanceType<HealthProto['grpc']['health']['v1']['Health']> {
  const { health } = loadProtos();
  return new health.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
}
