/** The mock upstream: one local HTTP server impersonating every provider (see server.ts). */
export { type MockUpstream, type MockUpstreamOptions, startMockUpstream } from './server';
export { type Scenario, type FlakyScenario, flaky, isScenario } from './scenarios';
export { type AwsCredentials, type ParsedMockKey, KEY_FORMATS, mockAwsCredentials, mockKey, parseMockKey, parseMockAccessKeyId } from './keys';
export {
  type MatchedRoute,
  type MockAuthStyle,
  type MockDialect,
  type MockRoute,
  type MockValidationRoute,
  MOCK_ROUTES,
  chatPath,
  matchRoute,
  validationPath,
} from './routes';
export type { EndpointKind, RecordedRequest } from './recorded-request';
export { type FixtureSource, type FixtureVariant, type StreamFixture, DEFAULT_FIXTURES_DIR, loadDefaultFixtures } from './fixtures';
export { type SyntheticStreamConfig, syntheticWord } from './stream-replay';
export { MOCK_AWS_ACCOUNT } from './sts';
