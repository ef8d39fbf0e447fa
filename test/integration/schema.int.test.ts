import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema as buildSdl, isEnumType, isInputObjectType, isObjectType, type GraphQLNamedType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { buildAppSchema, printAppSchema } from '../../src/server/schema';

const CONTRACT_COPY = resolve(__dirname, '../fixtures/design/contract.graphql');

describe('GraphQL schema', () => {
  it('schema.graphql is what the resolvers generate (run `npm run schema:print` after changing them)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../schema.graphql'), 'utf8');
    expect(await printAppSchema()).toBe(committed);
  });

  it('every query, mutation and subscription is guarded by @Authorized', async () => {
    await buildAppSchema();
    const storage = getMetadataStorage();
    const operations = [...storage.queries, ...storage.mutations, ...storage.subscriptions];
    expect(operations.length).toBeGreaterThan(5);
    const unguarded = operations.filter(
      (op) => !storage.authorizedFields.some((a) => a.target === op.target && a.fieldName === op.methodName),
    );
    expect(unguarded.map((op) => op.schemaName)).toEqual([]);
  });

  it('the committed copy of contract.graphql is the design\'s, where the design folder sits beside the repo', () => {
    // CI runs on a bare clone, where ../shared may be absent: the tests read the copy.
    const shared = resolve(__dirname, '../../../shared/design/contract.graphql');
    if (!existsSync(shared)) return;
    expect(readFileSync(CONTRACT_COPY, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });

  it('implements every type, field and enum value of contract.graphql, with the contract types', async () => {
    const contract = buildSdl(readFileSync(CONTRACT_COPY, 'utf8'));
    const ours = await buildAppSchema();
    const problems: string[] = [];
    const present = (t: GraphQLNamedType) => ours.getType(t.name);
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const mine = present(type);
      if (!mine) continue; // reported as missing below
      if (isObjectType(type) || isInputObjectType(type)) {
        const fields = (mine as typeof type).getFields();
        for (const [name, f] of Object.entries(type.getFields())) {
          const m = fields[name];
          if (!m) problems.push(`${type.name}.${name} missing`);
          else if (String(m.type) !== String(f.type)) problems.push(`${type.name}.${name}: ${String(m.type)} != ${String(f.type)}`);
        }
      }
      if (isEnumType(type) && isEnumType(mine)) {
        const values = new Set(mine.getValues().map((v) => v.name));
        for (const v of type.getValues()) if (!values.has(v.name)) problems.push(`${type.name}.${v.name} missing`);
      }
    }
    expect(problems).toEqual([]);
    const missing = Object.keys(contract.getTypeMap()).filter((n) => !n.startsWith('__') && !ours.getType(n));
    expect(missing).toEqual([]);
  });
});
