// English and Welsh. NHS Wales asks for bilingual staff apps: the language
// follows the phone's (Welsh when it lists Welsh before English), and the
// switch in the header changes it and is remembered on this phone.
//
// Strings are looked up by key; `{name}` in a string is filled from `vars`.
// Counts are written as "label: 3" rather than "3 answers", which reads well
// in both languages without plural rules.

import { kv } from "./db.js";
import { STRINGS } from "./strings.js";

let language = "en";

/** Picks the language: the one saved on this phone, else the phone's own. */
export async function loadLanguage() {
  const saved = await kv.get("language");
  if (saved === "en" || saved === "cy") language = saved;
  else {
    const preferred = (navigator.languages ?? [navigator.language]).map((tag) => tag.toLowerCase().slice(0, 2));
    const welsh = preferred.indexOf("cy");
    const english = preferred.indexOf("en");
    language = welsh >= 0 && (english < 0 || welsh < english) ? "cy" : "en";
  }
  apply();
}

export function currentLanguage() {
  return language;
}

export async function switchLanguage() {
  language = language === "en" ? "cy" : "en";
  await kv.set("language", language);
  apply();
}

function apply() {
  document.documentElement.lang = language === "cy" ? "cy" : "en-GB";
}

export function t(key, vars = {}) {
  const text = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Credited time as people say it: "42 s", "5 min 20 s", "2 h 05 min". */
export function duration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const unit = (key) => t(key);
  if (hours) return `${hours} ${unit("unit.hours")} ${String(minutes).padStart(2, "0")} ${unit("unit.minutes")}`;
  if (minutes) return `${minutes} ${unit("unit.minutes")} ${String(rest).padStart(2, "0")} ${unit("unit.seconds")}`;
  return `${rest} ${unit("unit.seconds")}`;
}

/** A `YYYY-MM` month in words, in the current language. */
export function monthName(month) {
  const [year, number] = month.split("-").map(Number);
  const locale = language === "cy" ? "cy" : "en-GB";
  return new Date(Date.UTC(year, number - 1, 1)).toLocaleDateString(locale, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}
