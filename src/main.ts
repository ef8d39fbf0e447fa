import 'reflect-metadata';
import { DependencyError, checkDependencies } from './boot-checks';
import { ConfigError, loadConfig, servingWarnings } from './config/config';
import { createLogger } from './infra/logger';
import type * as AppModule from './app';
import type { AppHandle } from './app';

/**
 * Entry point: `npm start`. Expected start-up failures (bad configuration, Postgres or Redis
 * unreachable) print one clear line and exit 1; anything else is logged with its stack.
 */
async function main(): Promise<void> {
  // Before the configuration is validated, log at a fixed level.
  const bootLogger = createLogger('info');
  // Handlers first: as a container's PID 1, node gets no default action for SIGTERM, so a
  // signal that came before them would be lost and `docker stop` would wait for its SIGKILL.
  // One that comes during start-up stops the service gracefully as soon as it is up.
  let stopSignal: string | undefined;
  let onSignal = (signal: string): void => {
    stopSignal = signal;
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  let app: AppHandle;
  try {
    const config = loadConfig(process.env, { warn: (msg) => bootLogger.warn(msg) });
    for (const warning of servingWarnings(config)) bootLogger.warn(warning);
    // Before loading the rest (schema, providers, AWS SDK: seconds): a missing Postgres or
    // Redis is reported at once.
    await checkDependencies(config);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see above
    const { startApp } = require('./app') as typeof AppModule;
    app = await startApp(config, { logger: createLogger(config.logLevel) });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DependencyError) {
      process.stderr.write(`byok-gateway: ${err.message}\n`);
      process.exit(1);
    }
    bootLogger.fatal({ err }, 'start-up failed');
    bootLogger.flush();
    process.exit(1);
  }

  const shutdown = (signal: string): void => {
    app.logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => {
      app.logger.error('graceful stop took too long; exiting');
      app.logger.flush();
      process.exit(1);
    }, app.config.shutdownTimeoutMs);
    timer.unref();
    app.stop().then(
      () => {
        app.logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        app.logger.error({ err }, 'error during stop');
        app.logger.flush();
        process.exit(1);
      },
    );
  };
  onSignal = shutdown;
  if (stopSignal) shutdown(stopSignal);
}

void main();
