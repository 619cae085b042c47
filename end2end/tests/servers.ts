// The real servers beside the portal under test that both playwright.config.ts and the tests
// need to know. Every port can be moved by an environment variable, and everything a run writes
// is named by its portal's port, so two runs (SQLite and PostgreSQL) can share the machine.
import * as path from 'node:path';

/** The portal under test. */
export const portalPort = Number(process.env.SIMDESK_E2E_PORT ?? 3100);

/** The portal's own files for this run: its SQLite database and secret key. */
export const portalDir = path.resolve(__dirname, '..', '..', 'target', `e2e-${portalPort}`);

/** The database the portal under test uses: a fresh SQLite file per run, or the fresh
 * PostgreSQL database SIMDESK_E2E_DATABASE_URL names. */
export const databaseUrl = process.env.SIMDESK_E2E_DATABASE_URL ?? `sqlite://${portalDir}/simdesk.db?mode=rwc`;

/** The IMAP server (Dovecot, scripts/imap-server) holding Nordwind's order mailbox. */
export const imapPort = Number(process.env.SIMDESK_E2E_IMAP_PORT ?? 3143);
export const imapMailbox = { user: 'orders@nordwind.example', password: 'e2e-mailbox-secret' };
