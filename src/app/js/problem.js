// A failure in words: the server's own detail and field messages, or that
// the phone is offline.

import { t } from "./i18n.js";

export function problemText(error) {
  if (error?.name === "OfflineError") return t("error.offline");
  if (error?.name === "ApiError") {
    const fields = (error.problem.errors ?? []).map((field) => field.message).join(" ");
    return [error.problem.detail ?? error.problem.title ?? error.message, fields].filter(Boolean).join(" ");
  }
  return error?.message || t("error.generic");
}
