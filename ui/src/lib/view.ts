// Which screen is showing.
export type View =
  | { name: "dashboard" }
  | { name: "incidents" }
  // `learner`: started from a learner's page, with them already chosen.
  | { name: "new-incident"; learner?: string }
  // `refer`: opened from an urgent banner, with the police referral ready to record.
  | { name: "incident"; reference: string; refer?: boolean }
  | { name: "learners" }
  | { name: "learner"; id: string }
  | { name: "consent" }
  | { name: "reports" }
  | { name: "sync" }
  | { name: "settings" };
