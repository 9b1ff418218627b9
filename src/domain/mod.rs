//! The safeguarding vocabulary: roles, risk levels, agencies and categories.
//!
//! These are the words the policies use. Each parses from the short form typed on the
//! command line and shows in full to people.

pub mod categories;
pub mod form_templates;
pub mod forms;
pub mod imagery;
pub mod procedures;
pub mod redaction;
pub mod reference;
pub mod retention;
pub mod school_days;
pub mod text;
pub mod time;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal, $label:literal $(| $alias:literal)*;)* }) => {
        $(#[$meta])*
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant,)* }

        impl $name {
            /// Every value, in the order shown to people.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The short form used on the command line and in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// The words shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            /// Reads the short form (or an accepted alias), ignoring case.
            pub fn parse(text: &str) -> Result<Self> {
                let t = text.trim().to_lowercase().replace([' ', '_'], "-");
                match t.as_str() {
                    $($code $(| $alias)* => Ok($name::$variant),)*
                    _ => Err(Error::invalid(format!(
                        "\"{}\" is not a {}; use one of: {}.",
                        text,
                        $what,
                        [$($code),*].join(", ")
                    ))),
                }
            }
        }
    };
}

word_enum!(
    /// How a learner is involved in an incident. Each learner has their own role.
    LearnerRole, "learner's role" {
        Subject => "subject", "Subject of concern" | "victim";
        AllegedPerpetrator => "alleged", "Alleged perpetrator" | "alleged-perpetrator" | "perpetrator";
        Witness => "witness", "Witness";
    }
);

word_enum!(
    /// The coordinator's judgement of risk; every change carries a reason.
    RiskLevel, "risk level" {
        Low => "low", "Low";
        Medium => "medium", "Medium";
        High => "high", "High";
        Immediate => "immediate", "Immediate risk of harm";
    }
);

word_enum!(
    /// Who a concern was referred to.
    Agency, "agency" {
        Police => "police", "Police";
        Ceop => "ceop", "CEOP";
        ChildrensSocialCare => "social-care", "Children's social care" | "childrens-social-care";
        Lado => "lado", "LADO";
        Prevent => "prevent", "Prevent / Channel" | "channel";
        ParentsOrCarers => "parents", "Parents or carers informed" | "carers" | "parents-or-carers";
        LocalAuthority => "local-authority", "Local authority e-safety officer" | "la";
        ServiceProvider => "provider", "Service provider" | "service-provider";
        Other => "other", "Other agency";
    }
);

word_enum!(
    /// Named roles in the organisation's safeguarding arrangements.
    ContactRole, "key contact role" {
        Dsl => "dsl", "Designated Safeguarding Lead";
        DeputyDsl => "deputy-dsl", "Deputy Designated Safeguarding Lead" | "deputy";
        GeneralManager => "general-manager", "General Manager" | "gm";
        OnlineSafetyCoordinator => "online-safety", "E-Safety / Online Safety Coordinator" | "e-safety" | "esafety";
        AllegationsAlternate => "alternate", "Alternate for allegations about the DSL or General Manager";
    }
);

word_enum!(
    /// The four Cs of online risk (KCSIE).
    FourC, "area of risk" {
        Content => "content", "Content";
        Contact => "contact", "Contact";
        Conduct => "conduct", "Conduct";
        Commerce => "commerce", "Commerce";
    }
);

word_enum!(
    /// Whether a case is still being worked.
    Status, "status" {
        Open => "open", "Open";
        Closed => "closed", "Closed";
    }
);

/// A parent or carer of a learner.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carer {
    pub name: String,
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Who reported a concern: full name and job title, as KCSIE asks.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub job_title: String,
}

impl Reporter {
    /// Reads "Full Name, Job title".
    pub fn parse(text: &str) -> Result<Self> {
        match text.split_once(',') {
            Some((name, title)) if !name.trim().is_empty() && !title.trim().is_empty() => {
                Ok(Reporter {
                    name: name.trim().to_string(),
                    job_title: title.trim().to_string(),
                })
            }
            _ => Err(Error::invalid(
                "Give who reported it as \"Full name, Job title\".",
            )),
        }
    }
}

/// Trims a required one-line piece of text (a name, a title, a place), refusing it if
/// empty, too long, or holding control characters (see [`text`]).
pub fn required(what: &str, text: &str) -> Result<String> {
    text::line(what, text)
}
