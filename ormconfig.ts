import 'reflect-metadata';
import { createDataSource } from './src/infra/database';

/** The DataSource the TypeORM CLI uses (`npm run db:migration:generate`); same entities as the app. */
export default createDataSource(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/byok_gateway',
);
