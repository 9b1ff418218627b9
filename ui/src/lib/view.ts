// Which screen is showing.
export type View =
  | { name: "dashboard" }
  | { name: "incidents" }
  | { name: "new-incident" }
  | { name: "incident"; reference: string }
  | { name: "learners" }
  | { name: "learner"; id: string }
  | { name: "consent" }
  | { name: "reports" }
  | { name: "sync" }
  | { name: "settings" };
