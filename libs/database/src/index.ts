export * from './client';
export * from './migrate';
export * from './tenant';
export * from './transactions';
export { Prisma } from './generated/prisma/client';
export { EditStatus } from './generated/prisma/enums';
export type {
  Edit,
  Frame,
  FrameMetric,
  Caption,
  CaptionExample,
  Selection,
  EditEvent,
  Tenant,
  Upload,
} from './generated/prisma/client';
