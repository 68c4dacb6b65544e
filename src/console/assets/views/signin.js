import { signIn } from "../api.js";
import { field, h, showError } from "../dom.js";
import { go } from "../app.js";

export function signInView() {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    field("Email address", email),
    field("Password", password),
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      await signIn(email.value.trim(), password.value);
      const after = sessionStorage.getItem("tessera.console.after") || "#/projects";
      sessionStorage.removeItem("tessera.console.after");
      go(after === "#/signin" ? "#/projects" : after);
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return [
    h("h1", {}, "Sign in"),
    h("p", {}, "Sign in with your researcher account to run projects, upload batches and download results."),
    form,
  ];
}
