// A real OpenID Connect provider (panva's oidc-provider) for Tessera's sign-in
// tests. It signs in whoever the authorization request names in login_hint,
// without a login page, and offers three clients: one that gets good ID tokens
// and two that get ID tokens a careful relying party must refuse.
//
//   node provider.mjs --port 0 --redirect-uri http://127.0.0.1:8080/callback
//
// When it listens it prints one JSON line on stdout (issuer and clients), then
// runs until SIGTERM/SIGINT, or until stdin closes if --exit-on-stdin-close is
// given. See README.md.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

// stdout carries exactly one line, the JSON a test reads. oidc-provider prints
// its notices with console.info, so send everything chatty to stderr.
console.info = console.error;
console.log = console.error;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '0' },
    'redirect-uri': { type: 'string', default: process.env.OIDC_REDIRECT_URI },
    'exit-on-stdin-close': { type: 'boolean', default: false },
  },
});
const port = Number(args.port);
const redirectUri = args['redirect-uri'];
if (!Number.isInteger(port) || port < 0 || port > 65535 || !redirectUri) {
  console.error('usage: node provider.mjs --port N --redirect-uri URL [--exit-on-stdin-close]');
  process.exit(2);
}

const SECRET = 'tessera-secret';
const WRONG_AUDIENCE = 'someone-else';
// Well past the 60 s of clock leeway that JWT libraries commonly allow.
const EXPIRED_FOR_SECONDS = 300;

// What each client's ID tokens look like; printed in the JSON line as well.
const CLIENTS = {
  tessera: 'valid',
  'tessera-expired': `expired: exp is ${EXPIRED_FOR_SECONDS} s before the time of issue`,
  'tessera-wrong-aud': `wrong audience: aud is "${WRONG_AUDIENCE}"`,
};

// Any email is an account. The account id (the ID token's sub) is derived
// from it, so findAccount needs no storage and a test can predict sub.
const accountIdFor = (email) => `sub-${email}`;

async function findAccount(ctx, accountId) {
  if (!accountId.startsWith('sub-')) return undefined;
  const email = accountId.slice('sub-'.length);
  return {
    accountId,
    claims: () => ({
      sub: accountId,
      email,
      email_verified: !email.startsWith('unverified.'),
      name: email.split('@')[0],
    }),
  };
}

// One RSA key, made at start, so the tokens are verifiable only through this
// provider's jwks_uri.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `test-${randomBytes(4).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

const server = createServer((req, res) => route(req, res));
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: Object.keys(CLIENTS).map((clientId) => ({
    client_id: clientId,
    client_secret: SECRET,
    // client_secret_post is accepted too: the provider takes either method
    // from a client registered for one of them.
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid email profile',
  })),
  responseTypes: ['code'],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // By default the ID token carries only sub when an access token can fetch
  // the rest from userinfo; Tessera reads email and name from the ID token.
  conformIdTokenClaims: false,
  findAccount,
  // route() below answers /interaction/<uid> in place of the provider's
  // development login page, which would wait for a human.
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// Every authorization request is a fresh sign-in, as if from a new browser:
// the session cookie is hidden from /auth and from its resume step /auth/<uid>.
// Otherwise a cookie jar that signed in alice stays alice, and signing in bob
// from it makes the provider ask for a logout through a page that only a
// browser running JavaScript submits.
const sessionCookies = new Set([provider.cookieName('session'), `${provider.cookieName('session')}.sig`]);
provider.use(async (ctx, next) => {
  if ((ctx.path === '/auth' || ctx.path.startsWith('/auth/')) && ctx.headers.cookie) {
    ctx.headers.cookie = ctx.headers.cookie.split(';')
      .filter((pair) => !sessionCookies.has(pair.split('=')[0].trim()))
      .join(';');
  }
  await next();
});

bendIdTokens(provider);

// Everything but the interaction page is the provider's own.
const providerCallback = provider.callback();
function route(req, res) {
  if (req.url.startsWith('/interaction/')) {
    interact(req, res).catch((err) => {
      console.error('interaction failed', err);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}\n`);
    });
  } else {
    providerCallback(req, res);
  }
}

// Stands in for a login and consent page: signs in the login_hint account and
// grants what was asked, or refuses when there is no login_hint. Either way the
// browser goes back to /auth/<uid>, which redirects to the client.
async function interact(req, res) {
  const interaction = await provider.interactionDetails(req, res);
  const { params, prompt } = interaction;
  const email = params.login_hint;
  if (!email || !email.includes('@')) {
    await provider.interactionFinished(req, res, {
      error: 'login_required',
      error_description: 'this test provider needs login_hint=<email>',
    }, { mergeWithLastSubmission: false });
    return;
  }

  const accountId = accountIdFor(email);
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  // Only filled in when the consent prompt runs, e.g. for a claims parameter.
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();

  await provider.interactionFinished(req, res, {
    login: { accountId },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

// oidc-provider always signs an ID token with aud = the client's own id and
// exp = now + ttl.IdToken, where the ttl must be a positive integer; neither
// can be changed through configuration (extraTokenClaims is for access tokens
// only). So the two bad clients get a small wrapper around the provider's own
// IdToken#issue: the token is still built, signed and returned by the provider,
// from its real token endpoint, with its published key.
function bendIdTokens(provider) {
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = function issueForTests(options = {}) {
    if (options.use !== 'idtoken') return issue.call(this, options);

    switch (this.client.clientId) {
      case 'tessera-wrong-aud':
        // issue() reads aud from this.client.clientId: hand it a view of the
        // same client whose id is someone else's. Everything else (keys,
        // algorithms) still comes from the real client.
        this.client = Object.create(this.client, { clientId: { value: WRONG_AUDIENCE } });
        return issue.call(this, options);
      case 'tessera-expired': {
        // issue() takes an absolute expiresAt; one in the past gives an exp in
        // the past. iat is backdated too, so the token reads as issued ten
        // minutes ago for five, rather than expiring before it was issued.
        const now = Math.floor(Date.now() / 1000);
        this.set('iat', now - 2 * EXPIRED_FOR_SECONDS);
        return issue.call(this, { ...options, expiresAt: now - EXPIRED_FOR_SECONDS });
      }
      default:
        return issue.call(this, options);
    }
  };
}

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args['exit-on-stdin-close']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

const clients = Object.fromEntries(Object.entries(CLIENTS)
  .map(([clientId, idToken]) => [clientId, { client_secret: SECRET, id_token: idToken }]));
process.stdout.write(`${JSON.stringify({ issuer, redirect_uri: redirectUri, clients })}\n`);
