import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { simpleParser, ParsedMail } from 'mailparser';
import { expect } from './fixtures';
import { databaseUrl, imapMailbox, imapPort } from './servers';

// The Maildir of the test SMTP server that playwright.config.ts starts.
const smtpPort = Number(process.env.SIMDESK_E2E_SMTP_PORT ?? 3125);
const maildir = path.resolve(__dirname, '..', '..', 'target', `e2e-mail-${smtpPort}`);

/** Closes (`false`) or opens again (`true`) the SMTP server's port, as an outage would. */
export function smtpReachable(reachable: boolean): void {
  const pid = Number(fs.readFileSync(`${maildir}.pid`, 'utf8'));
  process.kill(pid, reachable ? 'SIGUSR2' : 'SIGUSR1');
}

/** Every e-mail the SMTP server accepted so far. */
export async function received(): Promise<ParsedMail[]> {
  const files = ['new', 'cur'].flatMap((sub) => {
    const dir = path.join(maildir, sub);
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
  });
  return Promise.all(files.map((f) => simpleParser(fs.readFileSync(f))));
}

const recipient = (mail: ParsedMail) =>
  (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value ?? []).map((a) => a.address);

/** How many e-mails to `address` whose subject matches `subject` arrived so far. */
export async function countTo(address: string, subject: RegExp): Promise<number> {
  return (await received()).filter((m) => recipient(m).includes(address) && subject.test(m.subject ?? '')).length;
}

/** The e-mails to `address` whose subject matches `subject`, waiting until `count` arrived. */
export async function mailsTo(address: string, subject: RegExp, count = 1): Promise<ParsedMail[]> {
  let found: ParsedMail[] = [];
  await expect
    .poll(
      async () => {
        found = (await received()).filter((m) => recipient(m).includes(address) && subject.test(m.subject ?? ''));
        return found.length;
      },
      { timeout: 20_000, message: `${count} e-mail(s) to ${address} matching ${subject}` },
    )
    .toBeGreaterThanOrEqual(count);
  return found;
}

const root = path.resolve(__dirname, '..', '..');

/** Hands `raw` to the order mailbox of `tenant` as a mail server does: piped into
 * `simdesk mail receive`. Returns what it printed. */
export function deliverOrderMail(tenant: string, raw: string): string {
  return execFileSync(path.join(root, 'target', 'debug', 'simdesk'), ['mail', 'receive', '--tenant', tenant], {
    input: raw,
    env: { ...process.env, DATABASE_URL: databaseUrl, SIMDESK_LOG: 'error' },
  }).toString();
}

/** Puts `raw` into Nordwind's IMAP order mailbox, unseen, as a mail server's delivery does
 * (IMAP APPEND, with Python's imaplib). */
export function deliverByImap(raw: string): void {
  const append = [
    'import imaplib, sys',
    `m = imaplib.IMAP4('127.0.0.1', ${imapPort})`,
    'm.login(sys.argv[1], sys.argv[2])',
    "m.append('INBOX', None, None, sys.stdin.buffer.read())",
    'm.logout()',
  ].join('\n');
  execFileSync('/usr/bin/python3', ['-c', append, imapMailbox.user, imapMailbox.password], { input: raw });
}

/** `deliverOrderMail` without blocking this process, for a test that serves something the
 * portal fetches meanwhile (an order page). */
export function deliverOrderMailAsync(tenant: string, raw: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'target', 'debug', 'simdesk'), ['mail', 'receive', '--tenant', tenant], {
      env: { ...process.env, DATABASE_URL: databaseUrl, SIMDESK_LOG: 'error', ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`simdesk mail receive exited with ${code}: ${out}`))));
    child.stdin.end(raw);
  });
}
