import { defineConfig } from '@playwright/test';
import * as path from 'node:path';
import { databaseUrl, imapMailbox, imapPort, portalDir, portalPort } from './tests/servers';

// Runs the debug build of `simdesk serve --demo` on a fresh database and drives Debian's Chromium.
// Every page test runs twice: with JavaScript (hydrated) and without (server-rendered forms only).
const root = path.resolve(__dirname, '..');
const port = portalPort;
const baseURL = `http://localhost:${port}`;
// The test OpenID provider, with simdesk registered as a client (see tests/sso.spec.ts).
const oidcPort = Number(process.env.SIMDESK_E2E_OIDC_PORT ?? 3190);
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
const oidcClients = [
  {
    client_id: 'simdesk-e2e',
    client_secret: 'simdesk-e2e-secret',
    redirect_uris: [`${baseURL}/auth/sso/callback`],
    post_logout_redirect_uris: [`${baseURL}/sign-in?signed_out=1`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  },
];
// The real SMTP server the portal sends to (server/tests/support/smtp_server.py); tests read
// what it received from its Maildir (see tests/mailbox.ts).
const smtpPort = Number(process.env.SIMDESK_E2E_SMTP_PORT ?? 3125);
const maildir = path.join(root, 'target', `e2e-mail-${smtpPort}`);
// The real IMAP server with the order mailbox the tests set up; they deliver to it by IMAP
// APPEND (see tests/mailbox.ts).

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: `./test-results/${port}`,
  use: { baseURL, trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'javascript', use: { ...chromium, javaScriptEnabled: true } },
    // @outage tests stop the shared SMTP server for a minute or more: once is enough. @a11y tests
    // run axe-core as a script in the page, which needs JavaScript (the markup is the server's).
    { name: 'no-javascript', use: { ...chromium, javaScriptEnabled: false }, grepInvert: /@hydration|@outage|@a11y/ },
  ],
  // The SMTP server first, so the portal's first e-mails find it listening.
  webServer: [{
    command: `rm -rf ${maildir} && exec /usr/bin/python3 server/tests/support/smtp_server.py --port ${smtpPort} --maildir ${maildir} --pidfile ${maildir}.pid`,
    cwd: root,
    port: smtpPort,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'ignore',
  },
  {
    command: `exec scripts/imap-server target/e2e-imap-${imapPort} ${imapPort} '${imapMailbox.user}:${imapMailbox.password}'`,
    cwd: root,
    port: imapPort,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'ignore',
  },
  {
    // A fresh SQLite file per run; PostgreSQL when SIMDESK_E2E_DATABASE_URL names a fresh database.
    command: `rm -rf ${portalDir} && mkdir -p ${portalDir} && exec target/debug/simdesk serve --demo --addr 127.0.0.1:${port}`,
    cwd: root,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'simdesk',
      // Every test signs in from 127.0.0.1; the per-client limit is tested at the HTTP level.
      SIMDESK_SIGN_IN_PER_MINUTE: '10000',
      SIMDESK_LOG: 'warn',
      SIMDESK_SECRET_KEY_FILE: `${portalDir}/secret.key`,
      SIMDESK_PUBLIC_URL: baseURL,
      SIMDESK_SMTP_HOST: '127.0.0.1',
      SIMDESK_SMTP_PORT: String(smtpPort),
      SIMDESK_SMTP_TLS: 'none',
      SIMDESK_MAIL_FROM: 'portal@simdesk.test',
      SIMDESK_MAIL_POLL_SECONDS: '1',
      SIMDESK_MAILBOX_POLL_SECONDS: '1',
      SIMDESK_ALARM_SWEEP_SECONDS: '1',
      // The webhook tests' receiver listens on 127.0.0.1 over plain http (tests/webhook-receiver.ts).
      SIMDESK_WEBHOOKS_ALLOW_PRIVATE_TARGETS: '1',
    },
  },
  {
    command: 'exec node end2end/oidc/provider.mjs',
    cwd: root,
    url: `${oidcIssuer}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'ignore',
    env: { OIDC_PORT: String(oidcPort), OIDC_CLIENTS: JSON.stringify(oidcClients) },
  }],
});
