// Which screen is showing.
export type View =
  | { name: "dashboard" }
  | { name: "incidents" }
  | { name: "new-incident" }
  // `refer`: opened from an urgent banner, with the police referral ready to record.
  | { name: "incident"; reference: string; refer?: boolean }
  | { name: "learners" }
  | { name: "learner"; id: string }
  | { name: "consent" }
  | { name: "reports" }
  | { name: "sync" }
  | { name: "settings" };
