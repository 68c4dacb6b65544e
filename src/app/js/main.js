// The staff app: the frame (header, language switch, navigation, status
// line), the screens by route (`#home`, `#session`, ...), and start-up.
// Each screen is a function that returns its element; showing one moves
// focus to its heading and says where the person is in the page title, so
// a screen reader follows every change of screen.

import { api, currentAuth, loadAuth } from "./api.js";
import { h } from "./dom.js";
import { currentLanguage, loadLanguage, switchLanguage, t } from "./i18n.js";
import { watchInstall } from "./install.js";
import { problemText } from "./problem.js";
import { events, sendQueued, waiting } from "./outbox.js";
import { account, finishSignOn } from "./screens/account.js";

// The sign-in screens come with the page; the others are fetched when first
// opened (the service worker has them all for offline), so a first visit on
// a slow connection waits for as few files as possible.
const LATER = ["home", "session", "observe", "credits", "certificate", "profile"];
const load = (name) => import(`./screens/${name}.js`);
const SCREENS = { ...account };
for (const name of LATER) SCREENS[name] = async (app) => (await load(name))[name](app);
// Screens someone who is not signed in may see.
const PUBLIC = new Set(["signin", "register"]);
const NAV = ["home", "observe", "credits", "certificate", "profile"];

const main = document.querySelector("#app");
const nav = document.querySelector("#nav");
const statusLine = document.querySelector("#status");
const toastBox = document.querySelector("#toast");
const languageButton = document.querySelector("#language");
const announcer = document.querySelector("#announce");

let route = "signin";
let unreachable = false;

/** What the screens use to move on and to tell the person things. */
export const app = {
  /** Opens a screen (also recorded in the address, so Back works). */
  go(next) {
    if (location.hash !== `#${next}`) location.hash = next;
    else void show(next);
  },
  /** Draws the current screen again without moving focus. */
  refresh: () => show(route, { focus: false }),
  toast(message) {
    toastBox.textContent = message;
    toastBox.hidden = false;
    setTimeout(() => {
      if (toastBox.textContent === message) toastBox.hidden = true;
    }, 6000);
  },
  /** Said by screen readers through a live region of its own. */
  announce(message) {
    announcer.textContent = message;
  },
  get unreachable() {
    return unreachable || !navigator.onLine;
  },
  updateStatus,
};

async function updateStatus() {
  const count = await waiting();
  const offline = app.unreachable;
  statusLine.dataset.count = String(count);
  statusLine.dataset.offline = String(offline);
  const parts = [];
  if (offline) parts.push(t("status.offline"));
  if (count) parts.push(t("status.waiting", { count }));
  statusLine.textContent = parts.join(" · ");
  statusLine.hidden = parts.length === 0;
}

function drawFrame() {
  languageButton.textContent = currentLanguage() === "en" ? "Cymraeg" : "English";
  languageButton.lang = currentLanguage() === "en" ? "cy" : "en";
  const signedIn = Boolean(currentAuth());
  nav.hidden = !signedIn;
  nav.setAttribute("aria-label", t("frame.nav"));
  nav.replaceChildren(
    ...NAV.map((name) =>
      h("a", { href: `#${name}`, "aria-current": name === route ? "page" : undefined }, t(`nav.${name}`)),
    ),
  );
}

async function show(next, { focus = true } = {}) {
  route = next in SCREENS ? next : "home";
  if (!currentAuth() && !PUBLIC.has(route)) route = "signin";
  drawFrame();
  let screen;
  try {
    screen = await SCREENS[route](app);
  } catch (error) {
    screen = h("section", { class: "panel" }, h("h1", {}, t("error.title")), h("p", {}, problemText(error)));
  }
  main.replaceChildren(screen);
  void updateStatus();
  const heading = main.querySelector("h1");
  if (heading) document.title = `${heading.textContent} · Tessera`;
  if (focus && heading) {
    window.scrollTo(0, 0);
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

events.addEventListener("stopped", ({ detail }) => {
  unreachable = detail.error !== undefined && detail.error.name !== "ApiError";
  if (detail.error?.status === 401 && !currentAuth()) {
    app.toast(t("status.signed_out"));
    app.go("signin");
  }
  void updateStatus();
});

languageButton.addEventListener("click", async () => {
  await switchLanguage();
  await show(route);
});
window.addEventListener("hashchange", () => void show(location.hash.slice(1)));
window.addEventListener("online", () => void sendQueued());
window.addEventListener("offline", () => void updateStatus());
// Retry now and then too: "online" does not fire when the network was up
// but the server was not.
setInterval(() => void sendQueued(), 15_000);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => undefined);
}

await loadLanguage();
await loadAuth();
watchInstall(app);
// Back from a trust's sign-in page: home, once signed in.
if (await finishSignOn(app)) history.replaceState(null, "", "#home");
await show(location.hash.slice(1) || (currentAuth() ? "home" : "signin"));
// The session and observation screens listen for what the outbox sends, so
// they are loaded before it starts.
await Promise.all(LATER.map(load));
void sendQueued();
// Quietly checks the tokens still work, so a revoked login is noticed early.
if (currentAuth() && navigator.onLine) api.me().catch(() => undefined);
