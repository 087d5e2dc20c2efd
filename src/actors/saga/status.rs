//! The saga's and its steps' states (spec 40 §4.1) as types. A step moves only forward
//! (pending → completed or failed), a saga only from active to one terminal state; the
//! transitions are the only way to change them.

use serde::{Deserialize, Serialize};

/// A saga's state: running, or ended with its terminal event emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SagaStatus {
    Active,
    Completed,
    Failed,
}

impl SagaStatus {
    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            SagaStatus::Active => "active",
            SagaStatus::Completed => "completed",
            SagaStatus::Failed => "failed",
        }
    }

    pub fn is_active(self) -> bool {
        self == SagaStatus::Active
    }

    /// The terminal state a saga ends in: `Failed` when a failure ended it.
    pub fn ended(failed: bool) -> SagaStatus {
        if failed {
            SagaStatus::Failed
        } else {
            SagaStatus::Completed
        }
    }
}

/// A step's state, as the document and REST spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Pending,
    Completed,
    Failed,
}

impl StepStatus {
    /// A document's status text; `None` for anything else (an invariant violation, §3.3).
    pub fn parse(text: &str) -> Option<StepStatus> {
        match text {
            "pending" => Some(StepStatus::Pending),
            "completed" => Some(StepStatus::Completed),
            "failed" => Some(StepStatus::Failed),
            _ => None,
        }
    }

    pub fn is_pending(self) -> bool {
        self == StepStatus::Pending
    }

    /// The outcome of a pending step; a step that has an outcome keeps it.
    pub fn settle(self, outcome: StepStatus) -> StepStatus {
        match self {
            StepStatus::Pending => outcome,
            settled => settled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_only_move_forward() {
        assert_eq!(StepStatus::Pending.settle(StepStatus::Completed), StepStatus::Completed);
        assert_eq!(StepStatus::Completed.settle(StepStatus::Failed), StepStatus::Completed);
        assert_eq!(StepStatus::Failed.settle(StepStatus::Completed), StepStatus::Failed);
        assert_eq!(StepStatus::parse("active"), None);
        assert_eq!(serde_json::to_value(StepStatus::Pending).expect("text"), "pending");
        assert_eq!(serde_json::to_value(SagaStatus::ended(true)).expect("text"), "failed");
    }
}
