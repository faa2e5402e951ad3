import { hostname } from 'node:os';

/** Every container, volume and image the sandbox creates carries these labels. */
export const LABEL_SANDBOX = 'codemonkeys.sandbox';
export const LABEL_OWNER = 'codemonkeys.owner';
export const LABEL_PID = 'codemonkeys.pid';
export const LABEL_HOST = 'codemonkeys.host';
export const LABEL_CREATED = 'codemonkeys.created';
export const LABEL_ROLE = 'codemonkeys.role';
export const LABEL_RUN_IMAGE = 'codemonkeys.run-image';
export const LABEL_ENV_KEY = 'codemonkeys.env-key';

export type ResourceRole = 'setup' | 'exec';

export interface OwnerIdentity {
  /** Unique per provider instance. */
  owner: string;
  /** Extra labels applied to everything (tests use one per file to find and remove their own things). */
  extra: Record<string, string>;
}

export function getResourceLabels(
  identity: OwnerIdentity,
  role: ResourceRole,
): Record<string, string> {
  return {
    ...identity.extra,
    [LABEL_SANDBOX]: '1',
    [LABEL_OWNER]: identity.owner,
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: hostname(),
    [LABEL_CREATED]: String(Date.now()),
    [LABEL_ROLE]: role,
  };
}
