// The baseline of the ingest figure: a bare Koa app with koa-body that parses the same Chatra
// webhook and answers 200, nothing else. Run as its own process, like the relay.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { koaBody } from 'koa-body';

const app = new Koa();
app.use(koaBody({ jsonLimit: '1mb' }));
app.use((ctx) => {
  ctx.status = 200;
  ctx.body = { ok: true, accepted: ctx.request.body && typeof ctx.request.body === 'object' ? 1 : 0 };
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`bare koa listening on port ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
