import nock from 'nock';
import { createTokenOctokit } from '../../../src/github/octokit.js';

export { makeTarball, type TarEntry } from './tarball.js';

export const API = 'https://api.github.com';

export function makeOctokit() {
  return createTokenOctokit({ token: 'ghs_test_token', baseUrl: API, retries: false });
}

export function disableNet(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
}
