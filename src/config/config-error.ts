/** A configuration problem: the message names the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
