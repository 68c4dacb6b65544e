// Keeping the phone's copy safe. Browsers may clear a site's storage (Safari
// after seven days without a visit) unless the storage is persistent or the
// app is installed to the home screen. The app asks for persistent storage,
// and where it was not granted and the app is not installed, the home
// screen shows how to install it: with the browser's own prompt where there
// is one, otherwise the words for "Add to Home Screen".

let deferredPrompt = null;
let persisted = false;

export function watchInstall(app) {
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferredPrompt = event;
    app.refresh();
  });
  window.addEventListener("appinstalled", () => {
    deferredPrompt = null;
    app.refresh();
  });
}

/** Asks for persistent storage once signed in; true when the data is safe. */
export async function askToPersist() {
  if (!navigator.storage?.persist) return false;
  persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  return persisted;
}

export function installed() {
  return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
}

/** Whether the home screen should ask the person to install the app. */
export function atRisk() {
  return !persisted && !installed();
}

/** The browser's install prompt, when it offered one. */
export async function promptInstall() {
  if (!deferredPrompt) return false;
  const prompt = deferredPrompt;
  deferredPrompt = null;
  await prompt.prompt();
  return true;
}

export function canPrompt() {
  return deferredPrompt !== null;
}
