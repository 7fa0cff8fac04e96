import type { BenchPart } from '../part';
import { database } from './database';
import { frames } from './frames';
import { gateway } from './gateway';
import { overhead } from './overhead';
import { stages } from './stages';
import { subscriptions } from './subscriptions';

/** Every benchmark, in PART_IDS' order. */
export const PARTS: readonly BenchPart[] = [overhead, gateway, subscriptions, frames, stages, database];
