// Plain-English names for the API's codes.

export const STAFF_GROUPS = {
  nursing_and_midwifery: "Nursing and midwifery",
  medical_and_dental: "Medical and dental",
  allied_health_professions: "Allied health professions",
  healthcare_science: "Healthcare science",
  pharmacy: "Pharmacy",
  administrative_and_clerical: "Administrative and clerical",
  estates_and_ancillary: "Estates and ancillary",
  management: "Management",
  other: "Other",
};

export const STATUS = { draft: "Draft", live: "Live", paused: "Paused", closed: "Closed" };

export const KINDS = { screening: "Literature screening", coding: "Data coding", observation: "Observation logging" };
