import nock from 'nock';

export const API = 'https://api.github.com';
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';

const unmatched: string[] = [];
let listening = false;

/** Net connect off (local servers allowed); every request nobody expected is recorded. */
export function setUpNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  if (!listening) {
    nock.emitter.on(
      'no match',
      (req: { method?: string; path?: string; host?: string; hostname?: string }) => {
        const host = req.hostname ?? req.host ?? '';
        if (!/^(127\.0\.0\.1|localhost)/.test(host))
          unmatched.push(`${req.method ?? '?'} ${host}${req.path ?? ''}`);
      },
    );
    listening = true;
  }
  unmatched.length = 0;
}

/** Interceptors not used (the persisted installation token interceptor excluded) and unexpected calls. */
export function leftovers(): { pending: string[]; unexpected: string[] } {
  return {
    pending: nock.pendingMocks().filter((m) => !m.includes('access_tokens')),
    unexpected: [...unmatched],
  };
}

export function tearDownNock(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

/** Installation token exchange (Probot caches the token, so it is persisted). */
export function mockInstallationToken(installationId = 1): void {
  nock(API).persist().post(`/app/installations/${installationId}/access_tokens`).reply(201, {
    token: 'ghs_test_token',
    expires_at: '2099-01-01T00:00:00Z',
    permissions: {},
    repository_selection: 'all',
  });
}

const contentsPath = (repo: string) => (uri: string) =>
  uri.startsWith(`/repos/${OWNER}/${repo}/contents/`) &&
  decodeURIComponent(uri).includes('.github/codemonkeys.yml');

/** No `.github/codemonkeys.yml` in the repository nor in the org's `.github` repository. */
export function mockNoConfig(): nock.Scope {
  return nock(API)
    .get(contentsPath(REPO))
    .reply(404, { message: 'Not Found' })
    .get(contentsPath('.github'))
    .reply(404, { message: 'Not Found' });
}

export function mockConfig(yamlText: string): nock.Scope {
  return nock(API)
    .get(contentsPath(REPO))
    .reply(200, yamlText, { 'content-type': 'application/vnd.github.raw; charset=utf-8' });
}

export function mockPermission(
  user: string,
  role: 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none',
): nock.Scope {
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  return nock(API)
    .get(`/repos/${OWNER}/${REPO}/collaborators/${user}/permission`)
    .reply(200, { permission, role_name: role, user: { login: user } });
}

export function mockListComments(issue: number, comments: unknown[] = []): nock.Scope {
  return nock(API)
    .get(`/repos/${OWNER}/${REPO}/issues/${issue}/comments`)
    .query(true)
    .reply(200, comments);
}

/** Captures created comment bodies. */
export function mockCreateComment(issue: number, bodies: string[], id = 900): nock.Scope {
  return nock(API)
    .post(`/repos/${OWNER}/${REPO}/issues/${issue}/comments`, (b: { body: string }) => {
      bodies.push(b.body);
      return true;
    })
    .reply(201, { id });
}

export function mockUpdateComment(id: number, bodies: string[]): nock.Scope {
  return nock(API)
    .patch(`/repos/${OWNER}/${REPO}/issues/comments/${id}`, (b: { body: string }) => {
      bodies.push(b.body);
      return true;
    })
    .reply(200, { id });
}
