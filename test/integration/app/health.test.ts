import { describe, it, expect } from 'vitest';
import { startHarness } from './harness.js';
import { createRedisConnection } from '../../../src/queue/connection.js';

describe('server/health', () => {
  it('GET /healthz reports 200 when Redis answers', async () => {
    const h = await startHarness();
    try {
      const res = await fetch(`${h.url}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ status: 'ok', redis: 'up' });
      expect((await fetch(`${h.url}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await h.close();
    }
  });

  it('GET /healthz reports 503 when Redis is unreachable', async () => {
    // Nothing listens on port 1: the ping cannot succeed within the deadline.
    const broken = createRedisConnection('redis://127.0.0.1:1', {
      lazyConnect: true,
      retryStrategy: () => 100,
    });
    broken.on('error', () => undefined);
    const h = await startHarness({ redis: broken });
    try {
      const res = await fetch(`${h.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', redis: 'down' });
    } finally {
      await h.close();
      broken.disconnect();
    }
  });
});
