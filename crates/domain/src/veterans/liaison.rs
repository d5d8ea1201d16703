//! Leader–veteran liaison pairings (联系户, issue 7 item 8): why a pairing starts. The source
//! re-assigns pairings "随着区领导的调整" (as district leaders change); a local practice with
//! no national rule (rules.md §4.7, UNCONFIRMED), so the reasons are few and plain.

use std::fmt;
use std::str::FromStr;

use super::VeteransError;

/// Why a pairing starts: the first one of a household, or a re-assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PairingReason {
    /// The household's first pairing.
    New,
    /// The leader changed post (领导调整): the pairing passes to the successor.
    LeaderChange,
    /// Any other re-assignment, explained in the note.
    Other,
}

impl PairingReason {
    pub const ALL: [PairingReason; 3] = [
        PairingReason::New,
        PairingReason::LeaderChange,
        PairingReason::Other,
    ];
    /// The reasons of a re-assignment (every one but the first pairing's).
    pub const REASSIGN: [PairingReason; 2] = [PairingReason::LeaderChange, PairingReason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            PairingReason::New => "new",
            PairingReason::LeaderChange => "leader_change",
            PairingReason::Other => "other",
        }
    }
}
code_enum!(PairingReason, "pairing reason", "veterans.pairing_reason");
