import { registerEnumType } from 'type-graphql';
import { KeySource, UsageStatus } from './usage-enums';

// Registered once here; chat and usage types import this module for the side effect.
registerEnumType(UsageStatus, { name: 'UsageStatus' });
registerEnumType(KeySource, { name: 'KeySource' });

export { KeySource, UsageStatus };
