import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS } from '../crypto/redaction';

export type { Logger };

/**
 * Structured JSON logs. Secrets are redacted by path; code never logs a credential on purpose,
 * this is the second line of defence. Tests pass a destination to capture every line.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'byok-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
