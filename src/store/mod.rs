//! (being written)
pub const DEFAULT_SQLITE_FILE: &str = "data/atlas-actors.db";
