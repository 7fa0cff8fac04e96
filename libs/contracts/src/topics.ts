/**
 * Logical topic names. Each deployment prefixes them (KAFKA_TOPIC_PREFIX, e.g. "f2f.").
 *
 * WARNING: renaming a topic is a migration: producers and consumers of both names must overlap
 * and the old topic must be drained first. infra/kafka.sh mirrors this list to create topics.
 */
export enum Topic {
  EditRequested = 'edit.requested',
  EditStatus = 'edit.status',
  CaptionCompleted = 'caption.completed',
  VideoProgress = 'video.progress',
  VideoGenerated = 'video.generated',
  FrameSelected = 'frame.selected',
  MetricsComputed = 'metrics.computed',
  EditFailed = 'edit.failed',
  /**
   * A user kept another frame of a completed edit (or the source image): selectFrame. A history
   * entry type that edit.status announces; no longer published on its own topic (nothing consumed it).
   */
  EditFrameRechosen = 'edit.frame-rechosen',
  DeadLetter = 'dead-letter',
}

export const ALL_TOPICS: readonly Topic[] = Object.values(Topic);

/** Number of partitions topics are created with; events are keyed by editId. */
export const TOPIC_PARTITIONS = 3;

export function topicName(prefix: string, topic: Topic): string {
  return `${prefix}${topic}`;
}

export function logicalTopic(prefix: string, physical: string): Topic | undefined {
  if (!physical.startsWith(prefix)) return undefined;
  const name = physical.slice(prefix.length);
  return ALL_TOPICS.find((t) => t === name);
}
