// Each service's own client (its generated Prisma client on its own schema), for tests that seed or
// inspect what a service owns. Tests may reach every service's data; services may not.
export { createDatabase as captioningDatabase } from '../../services/captioning/src/database';
export { createDatabase as editsDatabase } from '../../services/edits/src/database';
export { createDatabase as frameSelectionDatabase } from '../../services/frame-selection/src/database';
export { createDatabase as metricsDatabase } from '../../services/metrics/src/database';
export { createDatabase as videoGenerationDatabase } from '../../services/video-generation/src/database';
export { createDatabase as webhooksDatabase } from '../../services/webhooks/src/database';
