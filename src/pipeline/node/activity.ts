/** Node: the activity net of a bundle folder (activity/ beside the model), loaded from disk. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ActivityNet } from '../../model/activity.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';

/** `activity/` beside a model folder when it holds a checkpoint (models/avdit → models/activity), else undefined. */
export function bundledActivityDir(modelDir: string): string | undefined {
  const dir = join(dirname(modelDir), 'activity');
  return existsSync(join(dir, 'config.json')) ? dir : undefined;
}

export function loadActivityNet(dir: string): ActivityNet {
  return ActivityNet.fromCheckpoint(loadCheckpoint(dir), dir);
}
