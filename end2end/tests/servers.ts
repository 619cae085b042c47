// The real servers beside the portal under test that both playwright.config.ts and the tests
// need to know.

/** The IMAP server (Dovecot, scripts/imap-server) holding Nordwind's order mailbox. */
export const imapPort = Number(process.env.SIMDESK_E2E_IMAP_PORT ?? 3143);
export const imapMailbox = { user: 'orders@nordwind.example', password: 'e2e-mailbox-secret' };
