//! The guided walkthrough of seed 001: its sections in our own words, each
//! with the code block to run in the lab (the seed's own commands, with the
//! placeholders filled in for the lab that is open). The data is
//! `www/walkthrough/seed-001.json`; a test runs every block in order.

use serde::Deserialize;

use crate::lessons::Text;
use crate::Language;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Walkthrough {
    pub title: Text,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Section {
    pub title: Text,
    pub text: Text,
    /// "bash" or "powershell".
    pub language: String,
    /// With `{rg}` and `{disk}` for the lab's resource group and disk.
    pub code: String,
}

impl Section {
    pub fn language(&self) -> Language {
        if self.language == "powershell" {
            Language::PowerShell
        } else {
            Language::Bash
        }
    }

    /// The code for disk `disk` in group `group`.
    pub fn code_for(&self, group: &str, disk: &str) -> String {
        self.code.replace("{rg}", group).replace("{disk}", disk)
    }
}

/// Seed 001's walkthrough.
pub fn seed_001() -> Walkthrough {
    serde_json::from_str(include_str!("../../www/walkthrough/seed-001.json"))
        .expect("www/walkthrough/seed-001.json parses (a test checks it)")
}
