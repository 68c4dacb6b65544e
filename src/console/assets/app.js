// The research console: a hash-routed single page over the public API.
// After every screen change the page title is set, focus moves to the new
// heading and the change is announced, so keyboard and screen-reader users
// know where they are.

import { signedIn, signOut } from "./api.js";
import { h } from "./dom.js";
import { signInView } from "./views/signin.js";
import { projectsView, newProjectView } from "./views/projects.js";
import { projectView } from "./views/project.js";
import { uploadView } from "./views/upload.js";
import { batchView } from "./views/batch.js";
import { queueView } from "./views/queue.js";

const ROUTES = [
  [/^#\/signin$/, signInView],
  [/^#\/projects$/, projectsView],
  [/^#\/projects\/new$/, newProjectView],
  [/^#\/projects\/([0-9a-f-]{36})$/, projectView],
  [/^#\/projects\/([0-9a-f-]{36})\/upload$/, uploadView],
  [/^#\/projects\/([0-9a-f-]{36})\/queue$/, queueView],
  [/^#\/batches\/([0-9a-f-]{36})$/, batchView],
];

const main = document.getElementById("main");
const announcer = document.getElementById("announce");

/** Says `message` to screen readers without moving focus. */
export function announce(message) {
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = message; }, 50);
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function accountNav() {
  const nav = document.getElementById("account");
  nav.replaceChildren();
  if (!signedIn()) return;
  nav.append(
    h("a", { href: "#/projects" }, "Your projects"),
    h("button", {
      type: "button",
      class: "link",
      onclick: async () => {
        await signOut();
        go("#/signin");
      },
    }, "Sign out"),
  );
}

async function render() {
  const hash = location.hash || "#/projects";
  if (!signedIn() && hash !== "#/signin") {
    sessionStorage.setItem("tessera.console.after", hash);
    go("#/signin");
    return;
  }
  accountNav();
  const route = ROUTES.find(([pattern]) => pattern.test(hash));
  const view = route ? route[1] : notFound;
  const params = route ? hash.match(route[0]).slice(1) : [];
  main.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    main.replaceChildren(...[await view(...params)].flat(Infinity));
  } catch (error) {
    if (error.status === 401) {
      go("#/signin");
      return;
    }
    main.replaceChildren(
      h("h1", {}, "Something went wrong"),
      h("p", {}, error.message),
      h("p", {}, h("a", { href: "#/projects" }, "Back to your projects")),
    );
  }
  const heading = main.querySelector("h1");
  document.title = `${heading ? heading.textContent : "Tessera"} · Tessera research console`;
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  announce(document.title);
}

function notFound() {
  return [h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/projects" }, "Your projects"))];
}

window.addEventListener("hashchange", render);
render();
