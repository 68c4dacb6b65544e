// A contribution certificate for a period: requested from the server
// (signed there), downloaded as the PDF, and shared from the phone (to
// email or an appraisal portal) where the phone can share files. The
// certificates asked for on this phone are listed again next time.

import { api, currentAuth } from "../api.js";
import { kv } from "../db.js";
import { h, isoDate } from "../dom.js";
import { t } from "../i18n.js";
import { problemText } from "../problem.js";
import { actionForm, input } from "./account.js";

const key = () => `certificates:${currentAuth().email}`;

async function pdf(certificate) {
  const blob = await api.file(new URL(certificate.pdf_url, location.href).pathname);
  return new File([blob], `tessera-certificate-${certificate.content.period?.from ?? ""}.pdf`, { type: "application/pdf" });
}

function actions(certificate) {
  const status = h("p", { role: "status" });
  const save = async (file) => {
    const link = h("a", { href: URL.createObjectURL(file), download: file.name });
    document.body.append(link);
    link.click();
    link.remove();
  };
  return h(
    "div",
    { class: "panel" },
    h(
      "button",
      {
        type: "button",
        class: "primary",
        "data-testid": "download",
        onclick: async () => {
          try {
            await save(await pdf(certificate));
          } catch (failure) {
            status.textContent = problemText(failure);
          }
        },
      },
      t("certificate.download"),
    ),
    navigator.canShare
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: async () => {
              try {
                const file = await pdf(certificate);
                if (navigator.canShare({ files: [file] })) await navigator.share({ files: [file], title: t("certificate.share_title") });
                else await navigator.share({ url: certificate.verification_url, title: t("certificate.share_title") });
              } catch (failure) {
                if (failure.name !== "AbortError") status.textContent = problemText(failure);
              }
            },
          },
          t("certificate.share"),
        )
      : null,
    h("p", {}, t("certificate.check"), " ", h("a", { href: certificate.verification_url }, certificate.verification_url)),
    status,
  );
}

export async function certificate(app) {
  const kept = (await kv.get(key())) ?? [];
  const form = h(
    "div",
    {},
    h("h1", {}, t("certificate.title")),
    h("p", { class: "lead" }, t("certificate.lead")),
  );
  form.append(
    actionForm(
      {},
      [
        // Certificates cover finished days, so the period ends yesterday at the latest.
        input("from", t("certificate.from"), { type: "date", required: true, value: isoDate(-366), max: isoDate(-1) }),
        input("to", t("certificate.to"), { type: "date", required: true, value: isoDate(-1), max: isoDate(-1) }, t("certificate.to_hint")),
      ],
      t("certificate.request"),
      async (data) => {
        const issued = await api.requestCertificate(String(data.get("from")), String(data.get("to")));
        await kv.set(key(), [issued, ...kept].slice(0, 20));
        app.announce(t("certificate.ready"));
        app.refresh();
      },
      "primary big",
    ),
  );
  if (kept.length) {
    form.append(
      h("h2", {}, t("certificate.yours")),
      h(
        "ul",
        { class: "rows", "data-testid": "certificates" },
        kept.map((issued) =>
          h(
            "li",
            {},
            h("strong", {}, t("certificate.period", { from: issued.content.period?.from ?? "", to: issued.content.period?.to ?? "" })),
            actions(issued),
          ),
        ),
      ),
    );
  }
  return form;
}
