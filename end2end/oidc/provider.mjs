// A real OpenID provider for simdesk's tests: the certified `oidc-provider` package on loopback,
// with a small login page of its own and a fixed set of users.
//
//   node end2end/oidc/provider.mjs
//
// Environment:
//   OIDC_PORT          port to listen on (0 or unset: any free port)
//   OIDC_USERS         JSON list of users: { login, password, sub, email, email_verified, name, groups }
//   OIDC_USERS_FILE    a file holding that list, read at every sign-in (instead of OIDC_USERS)
//   OIDC_CLIENTS       JSON list of static clients (client_id, client_secret, redirect_uris, ...)
//   OIDC_ID_TOKEN_TTL  lifetime of ID tokens in seconds (default 3600)
//   OIDC_KEY_ID        the signing key's id (default test-signing-key); a new key is made at each start
//
// Prints `OIDC_ISSUER=<url>` on its first line once it listens. Clients may also register
// themselves at `<issuer>/reg` (OpenID Connect Dynamic Client Registration).
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const defaultUsers = [
  {
    login: 'ada@sso.hafen.example',
    password: 'provider-pass',
    sub: 'ada-7f3c',
    email: 'ada@sso.hafen.example',
    email_verified: true,
    name: 'Ada Buyer',
    groups: ['sim-buyers'],
  },
  {
    login: 'ben@sso.hafen.example',
    password: 'provider-pass',
    sub: 'ben-91aa',
    email: 'ben@sso.hafen.example',
    email_verified: true,
    name: 'Ben Admin',
    groups: ['sim-admins', 'sim-buyers'],
  },
];

import { readFileSync } from 'node:fs';

// Read at every use, so tests can change a user's groups between two sign-ins.
function currentUsers() {
  if (process.env.OIDC_USERS_FILE) return JSON.parse(readFileSync(process.env.OIDC_USERS_FILE, 'utf8'));
  if (process.env.OIDC_USERS) return JSON.parse(process.env.OIDC_USERS);
  return defaultUsers;
}
const clients = process.env.OIDC_CLIENTS ? JSON.parse(process.env.OIDC_CLIENTS) : [];
const idTokenTtl = Number(process.env.OIDC_ID_TOKEN_TTL ?? 3600);

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: process.env.OIDC_KEY_ID ?? 'test-signing-key', alg: 'RS256', use: 'sig' };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // Standard claims in the ID token, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Plain pages without the default's web fonts: tests run without internet access.
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body style="font-family: sans-serif; max-width: 24rem; margin: 4rem auto">
<h1>Sign out of the test identity provider?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1></body></html>';
      },
    },
  },
  pkce: { required: () => true },
  ttl: {
    IdToken: () => idTokenTtl,
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  async findAccount(ctx, id) {
    const user = currentUsers().find((u) => u.sub === id);
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        const { login, password, ...claims } = user;
        return claims;
      },
    };
  },
  // simdesk is a first-party client: its sign-ins need no consent screen.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body style="font-family: sans-serif; max-width: 24rem; margin: 4rem auto">
<h1>Test identity provider</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label>Username <input name="login" autocomplete="username" autofocus required></label><br><br>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label><br><br>
  <button type="submit">Sign in at provider</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login|\/abort)?/);
  const details = await provider.interactionDetails(req, res);
  if (!match || details.uid !== match[1]) {
    res.writeHead(400).end('unknown interaction');
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
    return;
  }
  if (match[2] === '/abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' });
    return;
  }
  const form = await readForm(req);
  const user = currentUsers().find((u) => u.login === form.get('login') && u.password === form.get('password'));
  if (!user) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'Wrong username or password.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  } else {
    callback(req, res);
  }
});

console.log(`OIDC_ISSUER=${issuer}`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
