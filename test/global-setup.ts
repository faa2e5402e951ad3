import { Redis } from 'ioredis';
import Docker from 'dockerode';

/**
 * Runs once before the suite. Integration tests need a real Redis and a real Docker engine with
 * the sandbox base image; `npm test` provisions them (scripts/provision.sh). If one is missing we
 * FAIL here with the reason rather than let tests skip silently.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const suiteStartedAt = Date.now();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${redisUrl}: run the suite with \`npm test\` (it starts Redis). ${String(error)}`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(
      `The Docker engine is not reachable: run the suite with \`npm test\` (it starts dockerd). ${String(error)}`,
      { cause: error },
    );
  }
  const image = process.env.CODEMONKEYS_BASE_IMAGE ?? 'codemonkeys/sandbox-base:bookworm';
  try {
    await docker.getImage(image).inspect();
  } catch {
    throw new Error(
      `Sandbox base image ${image} is missing: run \`npm run sandbox:image\` or \`npm test\`.`,
    );
  }
  return () => removeRunImagesSince(docker, suiteStartedAt);
}

/**
 * Run images are a cache in production; in the suite they are litter. Remove every run image the
 * sandbox made since the suite started (label `codemonkeys.created`), so nothing is left behind.
 */
async function removeRunImagesSince(docker: Docker, since: number): Promise<void> {
  const images = await docker.listImages({ filters: { label: ['codemonkeys.run-image=1'] } });
  for (const image of images) {
    const created = Number(image.Labels?.['codemonkeys.created'] ?? 0);
    if (created < since) continue;
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}
