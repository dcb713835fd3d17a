// A real third-party gRPC client (@grpc/grpc-js) against iob-credentials.
// Run by tests/integration/credentials/node_test.cc, which starts the
// service and passes:
//   IOB_TEST_CREDENTIALS_ADDR  host:port of the service (plaintext)
//   IOB_TEST_TOKEN             bearer token of a principal that may read and
//                              write integrations of tenant acme
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import health from 'grpc-health-check';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(here, '../../proto');
const addr = process.env.IOB_TEST_CREDENTIALS_ADDR;
const token = process.env.IOB_TEST_TOKEN;
if (!addr || !token) {
  throw new Error('IOB_TEST_CREDENTIALS_ADDR and IOB_TEST_TOKEN must be set (run via ctest)');
}

const definition = protoLoader.loadSync('iob/credentials/v1/credentials_service.proto', {
  includeDirs: [protoRoot],
  keepCase: true,
  enums: String,
  longs: String,
  defaults: true,
  oneofs: true,
});
const { CredentialsService } = grpc.loadPackageDefinition(definition).iob.credentials.v1;
const client = new CredentialsService(addr, grpc.credentials.createInsecure());
const HealthClient = grpc.makeClientConstructor(health.service, 'grpc.health.v1.Health');
const healthClient = new HealthClient(addr, grpc.credentials.createInsecure());

function metadata(bearer) {
  const md = new grpc.Metadata();
  if (bearer !== undefined) md.set('authorization', `Bearer ${bearer}`);
  return md;
}

// Promisified unary call; resolves with the response or rejects with the gRPC error.
function call(stub, method, request, md = metadata(token)) {
  return new Promise((resolve, reject) => {
    stub[method](request, md, { deadline: Date.now() + 10000 }, (err, resp) =>
      err ? reject(err) : resolve(resp));
  });
}

const id = `node-${randomBytes(4).toString('hex')}`;
const secret = `node-secret-${randomBytes(12).toString('hex')}`;

function createRequest(overrides = {}) {
  return {
    parent: 'tenants/acme',
    integration_id: id,
    integration: {
      supplier: 'amazon-business',
      from: { identity: 'node-buyer' },
      shared_secret: secret,
      punchout_url: 'https://www.amazon.com/eprocurement/punchout',
      order_url: 'https://www.amazon.com/eprocurement/order',
      mode: 'MODE_PRODUCTION',
      ...overrides,
    },
    request_id: `${id}-create`,
  };
}

test('health Check says SERVING', async () => {
  const resp = await new Promise((resolve, reject) =>
    healthClient.Check({ service: '' }, { deadline: Date.now() + 10000 }, (err, r) =>
      err ? reject(err) : resolve(r)));
  assert.ok(resp.status === 'SERVING' || resp.status === 1, `status ${resp.status}`);
});

test('create, get and list an integration', async () => {
  const created = await call(client, 'CreateIntegration', createRequest());
  assert.equal(created.name, `tenants/acme/integrations/${id}`);
  assert.equal(created.supplier, 'amazon-business');
  assert.equal(created.to.identity, 'Amazon');
  assert.equal(created.mode, 'MODE_PRODUCTION');
  assert.equal(created.secret_version, '1');
  assert.match(created.secret_fingerprint, /^hs256:[0-9a-f]{32}$/);
  assert.equal(created.shared_secret, '', 'the secret is input only');

  const got = await call(client, 'GetIntegration', { name: created.name });
  assert.equal(got.name, created.name);
  assert.equal(got.etag, created.etag);
  assert.equal(got.create_time.seconds, created.create_time.seconds);

  const listed = await call(client, 'ListIntegrations', { parent: 'tenants/acme', page_size: 100 });
  assert.ok(listed.integrations.some((i) => i.name === created.name));
  assert.ok(listed.integrations.every((i) => i.shared_secret === ''));
  assert.ok(!JSON.stringify(listed).includes(secret));
});

test('invalid input is INVALID_ARGUMENT naming the field', async () => {
  await assert.rejects(
    call(client, 'CreateIntegration',
      createRequest({ punchout_url: 'http://www.amazon.com/punchout' })),
    (err) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.match(err.details, /^integration\.punchout_url: /);
      assert.ok(!err.details.includes(secret));
      return true;
    });
});

test('no token or a bad token is UNAUTHENTICATED', async () => {
  for (const md of [metadata(undefined), metadata('not-a-real-token')]) {
    await assert.rejects(call(client, 'ListIntegrations', { parent: 'tenants/acme' }, md),
      (err) => {
        assert.equal(err.code, grpc.status.UNAUTHENTICATED);
        return true;
      });
  }
});

test('another tenant is PERMISSION_DENIED', async () => {
  await assert.rejects(call(client, 'GetIntegration', { name: 'tenants/globex/integrations/x' }),
    (err) => {
      assert.equal(err.code, grpc.status.PERMISSION_DENIED);
      return true;
    });
});

test.after(() => {
  client.close();
  healthClient.close();
});
