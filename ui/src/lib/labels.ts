// The words shown for stored codes. The core holds the vocabulary; these mirror its labels.

export const ROLE_LABELS: Record<string, string> = {
  subject: "Subject of concern",
  "alleged-perpetrator": "Alleged perpetrator",
  alleged: "Alleged perpetrator",
  witness: "Witness",
};

export const RISK_LABELS: Record<string, string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  immediate: "Immediate risk of harm",
};

export const AGENCY_LABELS: Record<string, string> = {
  police: "Police",
  ceop: "CEOP",
  "childrens-social-care": "Children's social care",
  "social-care": "Children's social care",
  lado: "LADO",
  prevent: "Prevent / Channel",
  "parents-or-carers": "Parents or carers informed",
  parents: "Parents or carers informed",
  "local-authority": "Local authority e-safety officer",
  "service-provider": "Service provider",
  provider: "Service provider",
  other: "Other agency",
};

export const CONTACT_LABELS: Record<string, string> = {
  dsl: "Designated Safeguarding Lead",
  "deputy-dsl": "Deputy DSL",
  "general-manager": "General Manager",
  "online-safety": "E-Safety / Online Safety Coordinator",
  "online-safety-coordinator": "E-Safety / Online Safety Coordinator",
  alternate: "Alternate for allegations about the DSL or General Manager",
  "allegations-alternate": "Alternate for allegations about the DSL or General Manager",
};
