/** Whether a JSON value is an object JSON Schema (root `type: "object"`, what every dialect needs). */
export function isObjectSchema(value: unknown): value is { [key: string]: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'object';
}
