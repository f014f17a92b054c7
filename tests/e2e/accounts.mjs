// The centre and the accounts the end-to-end tests work as. `cargo xtask test` starts the server
// with a setup code in SAKHI_SETUP_CODE; the global setup below sets the server up with it, as its
// first administrator would from the setup link, and creates the workers through the API.

export const centre = { code: "DHR", name: "Sakhi One Stop Centre, Dharampur", district: "Dharampur", state: "Gujarat" };

export const admin = { username: "anita.admin", display_name: "Anita Sharma", password: "admin-e2e-पासवर्ड-1" };

/** Workers, by the part they play in the tests. */
export const workers = {
  outreach: { username: "rekha", display_name: "Rekha Patel", role: "outreach_worker", password: "rekha-field-visits-7" },
  counsellor: { username: "kiran", display_name: "Kiran Desai", role: "counsellor", password: "kiran-desk-counsel-3" },
  second: { username: "meena", display_name: "मीना यादव", role: "outreach_worker", password: "मीना-गाँव-शिविर-9" },
  search: { username: "farida", display_name: "Farida Shaikh", role: "counsellor", password: "farida-search-test-5" },
};

/** One request to Sakhi's API at `url`, as JSON; an answer other than 2xx is an error. */
export async function call(url, method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(path, url), { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Sets a new server at `url` up with its one-time `code`, as its first administrator would, and
 * creates `accounts` (each `{username, display_name, role, password}`); returns the administrator's
 * session.
 */
export async function setUpServer(url, code, accounts, first = { centre, admin }) {
  const { needed } = await call(url, "GET", "/api/v1/setup");
  if (!needed) throw new Error(`the server at ${url} was set up already: a new one is needed`);
  const session = await call(url, "POST", "/api/v1/setup", { code, ...first });
  for (const account of accounts) {
    await call(url, "POST", "/api/v1/accounts", account, session.token);
  }
  return session;
}

export default async function globalSetup() {
  const code = process.env.SAKHI_SETUP_CODE;
  if (!code) throw new Error("SAKHI_SETUP_CODE is not set: run the end-to-end tests through `cargo xtask test`");
  await setUpServer(process.env.SAKHI_URL, code, Object.values(workers));
}
