import { rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { STREAM_FIXTURES } from '../fixtures/providers/expectations';
import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { LIST_KEYS, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { SUMMARY, insertAll, usage, type Group } from '../support/usage';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';
import { buildConsole, buildDir } from '../support/web/build';
import { type PageTraffic, launchBrowser, openPage, pageState, screenshot, signIn, unlabelledControls } from '../support/web/browser';

/**
 * The console end to end: a real headless Chromium (Debian's, driven by playwright-core) against
 * the real service, Postgres, Redis and the mock upstream. The console is built from web/ first.
 * Screenshots of each view land in test-output/web/.
 */

const KEY_QUERY = 'query($id: ID!) { byokKey(id: $id) { id hint status enabled lastError } }';
const DAY = 86_400_000;

interface OpenPage {
  context: BrowserContext;
  page: Page;
  traffic: PageTraffic;
}

/** The range the Usage page shows by default: the last seven UTC days, today included. */
function defaultRange(): { from: string; to: string } {
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  return { from: new Date(today - 6 * DAY).toISOString(), to: new Date(today + DAY).toISOString() };
}

function card(page: Page, provider: string) {
  return page.locator(`article.key[data-provider="${provider}"]`);
}

describe('web console in a real browser', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let browser: Browser;
  let webDir: string;
  const pages: OpenPage[] = [];
  const secrets: string[] = [];
  let owner: { id: string; token: string; email: string };
  let ownerPage: Page;
  let openaiKeyId: string;
  const memberTokens: string[] = [];

  beforeAll(async () => {
    webDir = await buildDir();
    // The service serves whatever the folder holds per request, so it may boot while Vite builds.
    const boot = async () => {
      mock = await startMockUpstream();
      t = await startTestApp('web', { ...mock.env(), ...FAST_VALIDATION_ENV, WEB_DIST_DIR: webDir });
      owner = await t.createUser();
    };
    [browser] = await Promise.all([launchBrowser(), buildConsole(webDir), boot()]);
  }, 90_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await t?.stop();
    await mock?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  async function open(viewport?: { width: number; height: number }): Promise<Page> {
    const p = await openPage(browser, t.url, viewport);
    pages.push(p);
    return p.page;
  }

  it('serves the page at / and client routes to browsers, never in place of an API path', async () => {
    const index = await fetch(`${t.url}/`);
    expect(index.status).toBe(200);
    const html = await index.text();
    expect(html).toContain('<div id="app"');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Everything the page loads comes from this origin: no CDN.
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a.startsWith('/assets/')).toBe(true);
      const r = await fetch(`${t.url}${a}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toContain('immutable');
    }
    const asPage = { headers: { accept: 'text/html,application/xhtml+xml' } };
    expect(await (await fetch(`${t.url}/usage`, asPage)).text()).toBe(html);
    // API paths keep their own answers, even for a browser asking for HTML.
    for (const path of ['/v1/models', '/api/openrouter/v1/models', '/api/gateway/x', '/graphql/x', '/metrics/x']) {
      const r = await fetch(`${t.url}${path}`, asPage);
      expect(`${path} ${r.status} ${(await r.text()).includes('id="app"')}`).not.toMatch(/ true$/);
    }
    expect((await fetch(`${t.url}/healthz`, asPage)).headers.get('content-type')).toContain('application/json');
    // A missing file, or a non-browser client, gets a 404 rather than the page.
    expect((await fetch(`${t.url}/assets/nope.js`, asPage)).status).toBe(404);
    expect((await fetch(`${t.url}/usage`, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await fetch(`${t.url}/`, { method: 'POST' })).status).toBe(404);
  });

  it('sign in; the first key turns VALID live; a bad key INVALID with the provider’s reason; replace, disable, delete', async () => {
    ownerPage = await open();
    const page = ownerPage;
    await page.getByLabel('API token').fill('byok_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted.').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await screenshot(page, '01-sign-in-error');

    await signIn(page, owner.token);
    const first = page.getByRole('button', { name: 'Add Your First Key' });
    await first.waitFor();
    await screenshot(page, '02-keys-empty');
    await first.click();

    // 18 providers from the API, grouped standard vs subscription.
    const providers = (await t.gql.ok<{ providers: Array<{ id: string; kind: string }> }>('{ providers { id kind } }', {}, owner.token)).providers;
    expect(providers).toHaveLength(18);
    const groups = (await page
      .locator('select[name=provider] optgroup')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('label'), g.children.length]))) as Array<[string, number]>;
    expect(groups).toEqual([
      ['Standard API keys', providers.filter((p) => p.kind === 'STANDARD').length],
      ['Subscription plans', providers.filter((p) => p.kind === 'SUBSCRIPTION').length],
    ]);

    await page.getByLabel('Provider').selectOption('OPENAI');
    expect(await unlabelledControls(page)).toEqual([]);
    const keyField = page.getByLabel('OpenAI API key');
    expect(await keyField.getAttribute('type')).toBe('password');
    // The API's BAD_USER_INPUT comes back as a message naming the problem; nothing is stored.
    await keyField.fill('short');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('alert').filter({ hasText: 'Some input was not accepted. (apiKey is too short' }).waitFor();
    expect((await t.gql.ok<{ byokKeys: unknown[] }>(LIST_KEYS, {}, owner.token)).byokKeys).toEqual([]);

    const openai = mockKeyInput('OPENAI', 'good');
    secrets.push(openai.secret);
    await keyField.fill(openai.secret);
    const keyFieldHandle = (await keyField.elementHandle())!;
    await page.evaluate('window.__sameDocument = true');
    await page.getByRole('button', { name: 'Save key' }).click();

    const openaiCard = card(page, 'OPENAI');
    await openaiCard.locator('.badge[data-status="VALID"]').waitFor({ timeout: 15_000 });
    // Live: the same document (no reload), and the field that held the key is empty.
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await keyFieldHandle.evaluate((el) => (el as unknown as { value: string }).value)).toBe('');
    const listed = (await t.gql.ok<{ byokKeys: Array<{ id: string; hint: string; provider: { id: string } }> }>(LIST_KEYS, {}, owner.token)).byokKeys;
    const apiKey = listed.find((k) => k.provider.id === 'OPENAI')!;
    openaiKeyId = apiKey.id;
    expect(await openaiCard.locator('.hint-text').textContent()).toBe(apiKey.hint);
    await page.getByText(`The OpenAI key ${apiKey.hint} is valid.`).waitFor();
    expect(await openaiCard.locator('[data-field=lastValidatedAt]').textContent()).not.toBe('never');

    // A bad key: INVALID, with the provider's reason as the API reports it.
    await page.getByRole('button', { name: 'Add a key' }).click();
    await page.getByLabel('Provider').selectOption('ANTHROPIC');
    const bad = mockKeyInput('ANTHROPIC', 'bad');
    secrets.push(bad.secret);
    await page.getByLabel('Anthropic API key').fill(bad.secret);
    await page.getByRole('button', { name: 'Save key' }).click();
    const anthropicCard = card(page, 'ANTHROPIC');
    await anthropicCard.locator('.badge[data-status="INVALID"]').waitFor({ timeout: 15_000 });
    const anthropicId = (await anthropicCard.getAttribute('data-key-id'))!;
    const invalid = (await t.gql.ok<{ byokKey: { lastError: string } }>(KEY_QUERY, { id: anthropicId }, owner.token)).byokKey;
    expect(invalid.lastError).toBeTruthy();
    await anthropicCard.locator('.last-error').waitFor();
    expect(await anthropicCard.locator('.last-error').textContent()).toBe(invalid.lastError);
    await screenshot(page, '03-keys-valid-and-invalid');

    // Replace the bad key with a good one: PENDING, then VALID, with the new hint. The mock takes
    // 1.5 s to answer this key, so PENDING is on screen long enough to be seen.
    await anthropicCard.getByRole('button', { name: 'Replace key' }).click();
    const good = mockKeyInput('ANTHROPIC', 'slow');
    secrets.push(good.secret);
    await anthropicCard.getByLabel('Anthropic API key').fill(good.secret);
    await anthropicCard.getByRole('button', { name: 'Save new key' }).click();
    await anthropicCard.locator('.badge[data-status="PENDING"]').waitFor();
    await anthropicCard.locator('.badge[data-status="VALID"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const replaced = (await t.gql.ok<{ byokKey: { hint: string; status: string } }>(KEY_QUERY, { id: anthropicId }, owner.token)).byokKey;
    expect(replaced.status).toBe('VALID');
    expect(await anthropicCard.locator('.hint-text').textContent()).toBe(replaced.hint);
    expect(await anthropicCard.locator('input').count()).toBe(0);

    // Disable and enable again.
    await openaiCard.getByRole('button', { name: 'Disable' }).click();
    await openaiCard.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await openaiCard.locator('.badge').textContent()).toBe('Valid · disabled');
    expect((await t.gql.ok<{ byokKey: { enabled: boolean } }>(KEY_QUERY, { id: openaiKeyId }, owner.token)).byokKey.enabled).toBe(false);
    await openaiCard.getByRole('button', { name: 'Enable' }).click();
    await openaiCard.getByRole('button', { name: 'Disable' }).waitFor();
    expect((await t.gql.ok<{ byokKey: { enabled: boolean } }>(KEY_QUERY, { id: openaiKeyId }, owner.token)).byokKey.enabled).toBe(true);

    // Delete, after a confirmation.
    await anthropicCard.getByRole('button', { name: 'Delete' }).click();
    await anthropicCard.getByRole('alertdialog').waitFor();
    await screenshot(page, '04-keys-delete-confirm');
    await anthropicCard.getByRole('button', { name: 'Delete key' }).click();
    await anthropicCard.waitFor({ state: 'detached' });
    await page.getByText(`The Anthropic key ${replaced.hint} was deleted.`).waitFor();
    const after = (await t.gql.ok<{ byokKeys: Array<{ provider: { id: string } }> }>(LIST_KEYS, {}, owner.token)).byokKeys;
    expect(after.map((k) => k.provider.id)).toEqual(['OPENAI']);

    // Test now, and the key's validation jobs and audit events.
    await openaiCard.getByRole('button', { name: 'Test now' }).click();
    await openaiCard.getByText('Validation queued').waitFor();
    await openaiCard.getByText('Validation jobs and audit events').click();
    await openaiCard.locator('table.jobs tbody tr:nth-child(2)').waitFor();
    const triggers = await openaiCard.locator('table.jobs tbody tr td:nth-child(2)').allTextContents();
    expect(triggers.length).toBeGreaterThanOrEqual(2);
    const actions = await openaiCard.locator('table.audit tbody tr td:nth-child(2)').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['byok_key.validated']));
    await screenshot(page, '05-key-history');

    // Bedrock from pasted JSON credentials.
    await page.getByRole('button', { name: 'Add a key' }).click();
    await page.getByLabel('Provider').selectOption('BEDROCK');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('Paste JSON').check();
    const bedrock = mockKeyInput('BEDROCK', 'good');
    const creds = bedrock.input.awsCredentials as { accessKeyId: string; secretAccessKey: string; region: string };
    secrets.push(creds.secretAccessKey);
    await page.getByLabel('Credentials JSON').fill(JSON.stringify(creds));
    await page.getByRole('button', { name: 'Save key' }).click();
    await card(page, 'BEDROCK').locator('.badge[data-status="VALID"]').waitFor({ timeout: 15_000 });
    expect(await card(page, 'BEDROCK').locator('.hint-text').textContent()).toContain(`(${creds.region})`);
  }, 90_000);

  it('the playground streams text and shows the serving key’s hint', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'Models' }).click();
    const row = page.locator('tr[data-model="openai/gpt-5.5"]');
    await row.waitFor();
    const hint = (await t.gql.ok<{ byokKey: { hint: string } }>(KEY_QUERY, { id: openaiKeyId }, owner.token)).byokKey.hint;
    expect(await row.textContent()).toContain(`OpenAI key ${hint}`);

    await page.getByLabel('Model', { exact: true }).selectOption('openai/gpt-5.5');
    await page.getByLabel('Message').fill('Say hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.served-by', { hasText: `Served by OpenAI key ${hint}` }).waitFor();
    await page.locator('.usage-line', { hasText: ' out · ' }).waitFor();
    expect(await page.locator('output.chat-output').textContent()).toBe(STREAM_FIXTURES.OPENAI.text);
    await screenshot(page, '06-models-playground');
    expect(await unlabelledControls(page)).toEqual([]);

    // A Bedrock-only model goes through the Bedrock key, and its reasoning shows apart from the text.
    await page.getByLabel('Model', { exact: true }).selectOption('amazon/nova-2-lite');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.served-by', { hasText: 'Served by AWS Bedrock key AKIA' }).waitFor();
    await page.locator('.usage-line', { hasText: ' out · ' }).waitFor();
    expect(await page.locator('output.chat-output').textContent()).toBe(STREAM_FIXTURES.BEDROCK.text);
    expect(await page.locator('.reasoning-text').textContent()).toBe(STREAM_FIXTURES.BEDROCK.reasoning);
    await page.getByText('Reasoning', { exact: true }).click();
    await screenshot(page, '06b-playground-reasoning');
  }, 30_000);

  it('usage: the chart has data points, the totals equal usageSummary’s, plans cost 0, records page by cursor, the live feed gets a new completion within a second', async () => {
    const page = ownerPage;
    // History over the past days (written as the recorder writes it), a plan key, and real completions.
    const now = Date.now();
    await insertAll(
      t.app.db,
      Array.from({ length: 24 }, (_, i) =>
        usage(new Date(now - (i % 4) * DAY - (i + 1) * 60_000).toISOString(), {
          userId: owner.id,
          keyId: openaiKeyId,
          inputTokens: 1000 + i,
          outputTokens: 100,
          costMicroUsd: 2500 + i,
        }),
      ),
    );
    const plan = mockKeyInput('ZAI_CODING', 'good');
    secrets.push(plan.secret);
    const planKey = (await t.gql.ok<{ addByokKey: { id: string } }>('mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id } }', { input: plan.input }, owner.token)).addByokKey;
    expect(await settledStatus(t, planKey.id)).toBe('VALID');
    const planRun = await chatEvents(t, owner.token, { model: 'zai-coding/glm-5.2', messages: [{ role: 'USER', content: 'hi' }] });
    expect(planRun.errors).toEqual([]);
    const run = await chatEvents(t, owner.token, { model: 'openai/gpt-5.5', messages: [{ role: 'USER', content: 'hi' }] });
    expect(run.errors).toEqual([]);
    const filter = defaultRange();
    // 24 inserted, 2 playground runs, the plan's and one more: all recorded before the page reads.
    await waitForRequests(t, owner.token, filter, 28);

    await page.getByRole('link', { name: 'Usage' }).click();
    await waitFor(async () => Number(await page.locator('figure.chart').getAttribute('data-points')) > 0, 'chart points', 10_000);
    await page.locator('table.totals tbody tr').first().waitFor();

    const summary = (await t.gql.ok<{ usageSummary: Group[] }>(SUMMARY, { filter, groupBy: ['KEY'] }, owner.token)).usageSummary;
    const shown = await page.locator('table.totals tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        keyId: r.getAttribute('data-key-id'),
        requests: Number(r.querySelector('[data-field=requests]')!.textContent!.replace(/,/g, '')),
        costMicroUsd: Number(r.querySelector('[data-field=cost]')!.getAttribute('data-micro-usd')),
        text: r.textContent ?? '',
      })),
    );
    const byKey = (rows: Array<{ keyId: string | null; requests: number; costMicroUsd: number }>) =>
      rows.map((r) => ({ keyId: r.keyId, requests: r.requests, costMicroUsd: r.costMicroUsd })).sort((a, b) => String(a.keyId).localeCompare(String(b.keyId)));
    expect(byKey(shown)).toEqual(byKey(summary.map((g) => ({ keyId: g.keyId, requests: g.totals.requests, costMicroUsd: g.totals.costMicroUsd }))));
    expect(summary.find((g) => g.keyId === openaiKeyId)!.totals.requests).toBe(26);
    // The plan's usage: its tokens, at cost 0, labelled as a plan.
    const planRow = shown.find((r) => r.keyId === planKey.id)!;
    expect(planRow).toMatchObject({ requests: 1, costMicroUsd: 0 });
    expect(planRow.text).toContain('plan');
    // The chart (cost per day, stacked by key) adds up to the same total.
    const chartTotal = Number(await page.locator('figure.chart').getAttribute('data-total'));
    expect(chartTotal).toBe(summary.reduce((s, g) => s + g.totals.costMicroUsd, 0));
    expect(Number(await page.locator('figure.chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(4);

    // Records: 20 a page, the rest by cursor.
    expect(await page.locator('table.records tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('table.records tbody tr:nth-child(28)').waitFor();
    expect(await page.locator('table.records tbody tr').count()).toBe(28);
    expect(await page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
    await screenshot(page, '07-usage');
    expect(await unlabelledControls(page)).toEqual([]);

    // Per hour, stacked by model: the same money, spread over more bars.
    await page.getByLabel('Per', { exact: true }).selectOption('HOUR');
    await page.getByLabel('Stack by', { exact: true }).selectOption('MODEL');
    await waitFor(async () => (await page.locator('figure.chart canvas').getAttribute('aria-label'))?.startsWith('Cost per hour by model'), 'the hourly chart');
    expect(Number(await page.locator('figure.chart').getAttribute('data-total'))).toBe(chartTotal);
    const hourly = (await t.gql.ok<{ usageSummary: Group[] }>(SUMMARY, { filter, groupBy: ['MODEL'], bucket: 'HOUR' }, owner.token)).usageSummary;
    expect(Number(await page.locator('figure.chart').getAttribute('data-points'))).toBe(hourly.filter((g) => g.totals.costMicroUsd !== 0).length);

    // Live: a completion shows in the feed within a second of finishing.
    const live = await chatEvents(t, owner.token, { model: 'openai/gpt-5.5', messages: [{ role: 'USER', content: 'again' }] });
    const done = Date.now();
    await page.locator('.feed li').first().waitFor({ timeout: 1000 });
    expect(Date.now() - done).toBeLessThan(1000);
    expect(await page.locator('.feed li').first().textContent()).toContain('openai/gpt-5.5');
    expect(live.events[0]!.type).toBe('START');
    // The figures follow (the page refreshes itself after a live record).
    const openaiRequests = page.locator(`table.totals tr[data-key-id="${openaiKeyId}"] [data-field=requests]`);
    await waitFor(async () => (await openaiRequests.textContent()) === '27', 'the totals to count the live completion', 10_000);
    // …without throwing away the pages of records the user loaded.
    expect(await page.locator('table.records tbody tr').count()).toBe(28);
    await screenshot(page, '08-usage-live');

    // Phone width: readable, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    await screenshot(page, '09-usage-phone');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });

    // A narrower date range: today only (UTC). The totals and the records follow the API's for it.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From (UTC)').fill(today);
    const todayFilter = { from: `${today}T00:00:00.000Z`, to: filter.to };
    const todays = (await t.gql.ok<{ usageSummary: Group[] }>(SUMMARY, { filter: todayFilter, groupBy: [] }, owner.token)).usageSummary;
    const todayCount = todays.reduce((n, g) => n + g.totals.requests, 0);
    expect(todayCount).toBeLessThan(29);
    await waitFor(async () => (await page.locator('table.records tbody tr').count()) === Math.min(todayCount, 20), 'today’s records');
    const totalShown = async () =>
      (await page.locator('table.totals [data-field=requests]').allTextContents()).reduce((n, v) => n + Number(v.replace(/,/g, '')), 0);
    await waitFor(async () => (await totalShown()) === todayCount, 'today’s totals');
  }, 60_000);

  it('organization: an OWNER adds an org key; a MEMBER sees it read-only with no edit controls', async () => {
    const member = await t.createUser();
    memberTokens.push(member.token);
    const org = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Acme") { id } }', {}, owner.token))
      .createOrganization;
    await t.gql.ok(
      'mutation($o: ID!, $e: String!) { addOrganizationMember(organizationId: $o, email: $e, role: MEMBER) { role } }',
      { o: org.id, e: member.email },
      owner.token,
    );

    // The owner's tab picks up the new organization on reload (the token survives it).
    const page = ownerPage;
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.reload();
    await page.getByLabel('Account').selectOption({ label: 'Acme · owner' });
    await page.getByRole('button', { name: 'Add Your First Key' }).click();
    await page.getByLabel('Provider').selectOption('MISTRAL');
    const mistral = mockKeyInput('MISTRAL', 'good');
    secrets.push(mistral.secret);
    await page.getByLabel('Mistral AI API key').fill(mistral.secret);
    await page.getByRole('button', { name: 'Save key' }).click();
    await card(page, 'MISTRAL').locator('.badge[data-status="VALID"]').waitFor({ timeout: 15_000 });
    expect(await card(page, 'OPENAI').count()).toBe(0);
    const orgKeys = (await t.gql.ok<{ byokKeys: Array<{ hint: string; organization: { id: string } | null }> }>(LIST_KEYS, { org: org.id }, owner.token)).byokKeys;
    expect(orgKeys).toHaveLength(1);
    expect(orgKeys[0]!.organization?.id).toBe(org.id);
    await screenshot(page, '10-org-owner');

    // The member signs in with the keyboard alone: the token field has focus, Enter submits.
    const memberPage = await open({ width: 390, height: 844 });
    await memberPage.getByLabel('API token').waitFor();
    await memberPage.keyboard.type(member.token);
    await memberPage.keyboard.press('Enter');
    await memberPage.getByRole('heading', { name: 'Bring Your Own Key' }).waitFor();
    await memberPage.getByLabel('Account').selectOption({ label: 'Acme · member' });
    const memberCard = card(memberPage, 'MISTRAL');
    await memberCard.locator('.badge[data-status="VALID"]').waitFor();
    expect(await memberCard.locator('.hint-text').textContent()).toBe(orgKeys[0]!.hint);
    // Absent, not merely failing: no control in the card, no add button, no history.
    expect(await memberCard.locator('button, input, select, textarea, details').count()).toBe(0);
    expect(await memberPage.getByRole('button', { name: /Add/ }).count()).toBe(0);
    await memberPage.getByText('you can see and use its keys, but not change them').waitFor();
    await screenshot(memberPage, '11-org-member-phone');
    expect(await memberPage.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // The member's token is revoked: the next read ends the session with a clear message.
    const tokens = (await t.gql.ok<{ apiTokens: Array<{ id: string }> }>('{ apiTokens { id } }', {}, member.token)).apiTokens;
    for (const tok of tokens) await t.gql.ok('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: tok.id }, member.token);
    await memberPage.getByRole('link', { name: 'Usage' }).click();
    await memberPage.getByText('Your session ended: the token is no longer accepted.').waitFor();
    expect(await memberPage.evaluate('sessionStorage.length')).toBe(0);
  }, 60_000);

  it('no fixture secret in page source, network responses, WebSocket frames, storage or logs; the token never in a URL; sign out clears the tab', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const p of pages) {
      const state = await pageState(p.page);
      const traffic = await p.traffic.text();
      expect(leakedSecrets([state.html, JSON.stringify(state.session), JSON.stringify(state.local), traffic].join('\n'), secrets)).toEqual([]);
      expect(state.local).toEqual({});
      expect(Object.keys(state.session).filter((k) => !['byok.token', 'byok.account'].includes(k))).toEqual([]);
      for (const token of [owner.token, ...memberTokens]) expect(p.traffic.urls.filter((u) => u.includes(token))).toEqual([]);
      // No uncaught error and no console error, on any page, through everything above.
      expect(p.traffic.errors).toEqual([]);
    }
    expect(leakedSecrets(t.logs.text(), secrets)).toEqual([]);

    await ownerPage.getByRole('button', { name: 'Sign out' }).click();
    await ownerPage.getByLabel('API token').waitFor();
    expect(await ownerPage.evaluate('sessionStorage.length')).toBe(0);
  });
});

/** Waits until usageSummary counts `n` requests in the range (completions are recorded just after DONE). */
async function waitForRequests(t: TestApp, token: string, filter: { from: string; to: string }, n: number): Promise<void> {
  await waitFor(async () => {
    const groups = (await t.gql.ok<{ usageSummary: Group[] }>(SUMMARY, { filter, groupBy: [] }, token)).usageSummary;
    return groups.reduce((s, g) => s + g.totals.requests, 0) >= n;
  }, `${n} requests in usageSummary`);
}
