import type { ApplicationFunction, Probot } from 'probot';
import { handleLabeled, handleUnlabeled, type AppDeps } from './app/handlers.js';
import { handleCommand } from './app/commands.js';

export type { AppDeps } from './app/handlers.js';

/**
 * The Probot app function. The web process only decides, authorises, enqueues and writes the
 * first status comment; the heavy work happens in the queue worker.
 */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app: Probot) => {
    app.on('issues.labeled', (context) => handleLabeled(context, deps));
    app.on('issues.unlabeled', (context) => handleUnlabeled(context, deps));
    app.on('issue_comment.created', (context) => handleCommand(context, deps));
  };
}
