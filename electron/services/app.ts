/**
 * The services behind shared/ipc, in plain Node. Electron's main process and serve mode bind the
 * same instance to their transport; `dispatch` validates every request against the contract before a
 * handler sees it. The handlers live in groups under ./app/ (project, export, data, files, recovery); what they share
 * is AppCore (./app/core.ts).
 */
import { REQUESTS, type RequestName } from '../../shared/ipc/contract';
import { AppCore, type Handlers, ServiceError, type ServiceOptions } from './app/core';
import { dataHandlers } from './app/data';
import { exportHandlers } from './app/export';
import { recoveryHandlers } from './app/recovery';
import { filesHandlers } from './app/files';
import { importHandlers } from './app/importModel';
import { libraryHandlers } from './app/library';
import { projectHandlers } from './app/project';

export { defaultDataDir, type ServiceOptions, toIpcError } from './app/core';

export class AppServices extends AppCore {
  readonly handlers: Handlers;

  constructor(opts: ServiceOptions) {
    super(opts);
    this.handlers = {
      ...projectHandlers(this),
      ...importHandlers(this),
      ...exportHandlers(this),
      ...dataHandlers(this),
      ...filesHandlers(this),
      ...libraryHandlers(this),
      ...recoveryHandlers(this),
    };
  }

  /** Validates and runs one request. Throws ServiceError / ProjectFileError for the caller to report. */
  async dispatch(name: string, params: unknown): Promise<unknown> {
    if (!Object.hasOwn(REQUESTS, name))
      throw new ServiceError('BAD_REQUEST', `Unknown request ${JSON.stringify(name)}.`);
    const def = REQUESTS[name as RequestName];
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success)
      throw new ServiceError(
        'BAD_REQUEST',
        `Invalid parameters for ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      );
    const handler = this.handlers[name as RequestName] as (p: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }
}
