// Logging an observation: the project's form, built from its definition,
// and a photo from the camera, shrunk on the phone. The observation is put
// in the outbox before anything is sent, so it survives a dead spot and a
// closed app; when the server is reachable its verdict comes straight
// back, and a value it refuses is shown beside its field.
//
// The forms are kept on the phone whenever they are fetched, so a ward
// without signal can still log.

import { api, currentAuth } from "../api.js";
import { kv, outbox } from "../db.js";
import { h, newClientId } from "../dom.js";
import { duration, t } from "../i18n.js";
import { renderObservationForm } from "../observe-form.js";
import { enqueue, events, photoItemId, sendQueued } from "../outbox.js";
import { shrinkPhoto } from "../photo.js";
import { problemText } from "../problem.js";

// How long the form waits for the server's verdict before saying the
// observation is saved on the phone and will go by itself.
const VERDICT_WAIT_MS = 8000;

const formsKey = () => `forms:${currentAuth().email}`;
let chosen = null; // { project, batch } being filled in
let logged = null; // client_id of the observation just saved
let screenApp = null;
const refusals = new Map(); // client_id -> error
const stored = new Map(); // client_id -> the server's view of it, once sent

events.addEventListener("refused", ({ detail }) => {
  if (detail.item.type === "observation") refusals.set(detail.item.client_id, detail.error);
});

/**
 * The projects with a live observation form, fetched when online and kept
 * on the phone: `[{ project_id, project_title, batches }]`, each batch as
 * `GET /v1/projects/{id}/observation-form` gives it (`batch_id`, `name`,
 * `instructions`, `fields`, `photo`).
 */
async function loadForms() {
  try {
    const { projects } = await api.projects();
    const found = [];
    for (const project of projects) {
      const { batches } = await api.observationForms(project.id).catch(() => ({ batches: [] }));
      if (batches.length) found.push({ project_id: project.id, project_title: project.title, batches });
    }
    await kv.set(formsKey(), found);
    return found;
  } catch (error) {
    if (error.name !== "OfflineError") throw error;
    return (await kv.get(formsKey())) ?? [];
  }
}

/** Whether the phone knows of any observation form (without waiting on the network). */
export async function hasObservationForms() {
  const known = await kv.get(formsKey());
  if (known?.length) return true;
  return navigator.onLine ? (await loadForms().catch(() => [])).length > 0 : false;
}

function choices(app, forms) {
  const options = forms.flatMap((project) =>
    project.batches.map((batch) => ({ project, batch, label: project.batches.length > 1 ? `${project.project_title}: ${batch.name}` : project.project_title })),
  );
  return h(
    "section",
    { class: "panel" },
    h("h1", {}, t("observe.choose")),
    options.length
      ? h(
          "ul",
          { class: "rows" },
          options.map((option) =>
            h("li", {}, h("button", { type: "button", class: "secondary", onclick: () => { chosen = option; app.go("observe"); } }, option.label)),
          ),
        )
      : h("p", {}, t("observe.none")),
  );
}

function photoField(longestEdge) {
  let photo = null;
  const preview = h("div", { class: "photo", "aria-live": "polite" });
  const picker = h("input", {
    id: "obs-photo",
    type: "file",
    accept: "image/*",
    capture: "environment",
    onchange: async () => {
      const file = picker.files?.[0];
      if (!file) return;
      preview.replaceChildren(h("p", { class: "meta" }, t("observe.photo_shrinking")));
      try {
        photo = await shrinkPhoto(file, longestEdge);
        preview.replaceChildren(
          h("img", { class: "photo-preview", src: URL.createObjectURL(photo), alt: t("observe.photo_preview") }),
          h("button", { type: "button", class: "link", onclick: () => { photo = null; picker.value = ""; preview.replaceChildren(); } }, t("observe.photo_remove")),
        );
      } catch {
        photo = null;
        preview.replaceChildren(h("p", { class: "error" }, t("observe.photo_bad")));
      }
    },
  });
  const field = h(
    "div",
    { class: "field" },
    h("label", { for: "obs-photo" }, t("observe.photo"), ` (${t("form.optional")})`),
    h("p", { class: "hint" }, t("observe.photo_hint")),
    picker,
    preview,
  );
  return { field, photo: () => photo };
}

/** Waits for the outbox to try, but not longer than a dead spot deserves. */
function tried() {
  return Promise.race([sendQueued(), new Promise((resolve) => setTimeout(resolve, VERDICT_WAIT_MS))]);
}

function formView(app) {
  const { project, batch } = chosen;
  const photo = photoField(batch.photo?.display_max_edge);
  return h(
    "section",
    {},
    h("h1", {}, t("observe.title")),
    h("p", { class: "lead" }, `${project.project_title}: ${batch.name}`),
    batch.instructions ? h("p", {}, batch.instructions) : null,
    renderObservationForm(batch, photo.field, async (values) => {
      const clientId = newClientId();
      const picture = photo.photo();
      // One write: the observation, and its photo to follow it.
      await enqueue(
        {
          type: "observation",
          client_id: clientId,
          project_id: project.project_id,
          observation: { client_id: clientId, batch_id: batch.batch_id, values },
        },
        ...(picture
          ? [{ type: "photo", client_id: photoItemId(clientId), observation_client_id: clientId, project_id: project.project_id, photo: picture }]
          : []),
      );
      await tried();
      const refused = refusals.get(clientId);
      if (refused) {
        refusals.delete(clientId);
        const fields = refused.problem?.errors ?? [];
        return fields.length ? fields : [{ field: "", message: problemText(refused) }];
      }
      logged = clientId;
      app.go("observe");
      return [];
    }),
    h("button", { type: "button", class: "link", onclick: () => { chosen = null; app.go("observe"); } }, t("observe.other")),
  );
}

async function loggedView(app) {
  const mine = [logged, photoItemId(logged)];
  const waiting = (await outbox.of(currentAuth().email)).some((item) => mine.includes(item.client_id));
  app.announce(waiting ? t("observe.queued") : t("observe.sent"));
  return h(
    "section",
    { class: "panel", "data-testid": "observation-logged", "data-waiting": String(waiting) },
    h("h1", {}, waiting ? t("observe.queued_title") : t("observe.sent_title")),
    h("p", {}, waiting ? t("observe.queued") : t("observe.sent")),
    stored.has(logged)
      ? h("p", { class: "credit", "data-testid": "credited" }, t("after.credited", { time: duration(stored.get(logged).credited_seconds ?? 0) }))
      : null,
    refusals.has(photoItemId(logged))
      ? h("p", { class: "error", role: "alert" }, t("observe.photo_refused", { reason: problemText(refusals.get(photoItemId(logged))) }))
      : null,
    h("button", { type: "button", class: "primary big", onclick: () => { logged = null; app.go("observe"); } }, t("observe.another")),
    h("button", { type: "button", class: "link", onclick: () => { logged = null; chosen = null; app.go("home"); } }, t("observe.home")),
  );
}

// A queued observation that gets through while its "saved" screen is up.
events.addEventListener("sent", ({ detail }) => {
  for (const view of detail.observations) stored.set(view.client_id, view);
  if (logged && detail.observations.some((view) => view.client_id === logged) && location.hash === "#observe") {
    screenApp?.refresh();
  }
});

export async function observe(app) {
  screenApp = app;
  if (logged) return loggedView(app);
  if (chosen) return formView(app);
  const forms = await loadForms();
  const only = forms.length === 1 && forms[0].batches.length === 1;
  if (only) {
    chosen = { project: forms[0], batch: forms[0].batches[0] };
    return formView(app);
  }
  return choices(app, forms);
}
