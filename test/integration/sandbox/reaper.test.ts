import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/logger.js';
import {
  LABEL_CREATED,
  LABEL_HOST,
  LABEL_OWNER,
  LABEL_PID,
  LABEL_SANDBOX,
} from '../../../src/sandbox/labels.js';
import { reapOrphans } from '../../../src/sandbox/reaper.js';
import { BASE_IMAGE, TEST_LABEL } from './helpers.js';

const docker = new Docker();
const label = `reaper-${randomUUID().slice(0, 8)}`;
/** A pid near the top of the default pid_max: not running on a test machine. */
const DEAD_PID = 4_194_000;

async function makeLabelled(labels: Record<string, string>): Promise<string> {
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Cmd: ['true'],
    Labels: { [TEST_LABEL]: label, [LABEL_SANDBOX]: '1', [LABEL_HOST]: hostname(), ...labels },
  });
  return container.id;
}

async function exists(id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return true;
  } catch {
    return false;
  }
}

describe('sandbox reaper', () => {
  afterAll(async () => {
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${TEST_LABEL}=${label}`] },
    });
    for (const info of left) await docker.getContainer(info.Id).remove({ force: true });
  });

  it('removes containers whose owner process is gone or that are past the TTL, and keeps live ones', async () => {
    const now = String(Date.now());
    const deadOwner = await makeLabelled({
      [LABEL_OWNER]: 'cm-dead',
      [LABEL_PID]: String(DEAD_PID),
      [LABEL_CREATED]: now,
    });
    const liveOwner = await makeLabelled({
      [LABEL_OWNER]: 'cm-live',
      [LABEL_PID]: String(process.pid),
      [LABEL_CREATED]: now,
    });
    const expired = await makeLabelled({
      [LABEL_OWNER]: 'cm-old',
      [LABEL_PID]: String(process.pid),
      [LABEL_CREATED]: String(Date.now() - 2 * 3_600_000),
    });
    const removed = await reapOrphans(docker, {
      selfOwner: 'cm-self',
      ttlMs: 3_600_000,
      logger: createSilentLogger(),
    });
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(await exists(deadOwner)).toBe(false);
    expect(await exists(expired)).toBe(false);
    expect(await exists(liveOwner)).toBe(true);
  });
});
