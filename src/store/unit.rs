//! A state write expressed as data, so domain logic decides what to write and the entity
//! harness runs it inside the transaction that also stores the position and outbox.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// One bound argument. Only the types both engines share.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Arg {
        Arg::Int(v.into())
    }
}
impl From<u8> for Arg {
    fn from(v: u8) -> Arg {
        Arg::Int(v.into())
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Int(v.into())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}
impl From<uuid::Uuid> for Arg {
    fn from(v: uuid::Uuid) -> Arg {
        Arg::Text(v.hyphenated().to_string())
    }
}

/// One SQL statement with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub sql: &'static str,
    pub args: Vec<Arg>,
    /// An optimistic-lock write: the unit fails unless it changes at least one row.
    pub must_change: bool,
}

impl Write {
    pub fn new(sql: &'static str, args: Vec<Arg>) -> Write {
        Write { sql, args, must_change: false }
    }

    /// Marks the write as guarded: if it changes no row (another writer moved the version
    /// on), the whole unit fails and its entity reloads.
    pub fn guarded(mut self) -> Write {
        self.must_change = true;
        self
    }

    pub(crate) fn query(self) -> Query<'static, Any, AnyArguments<'static>> {
        self.args.into_iter().fold(sqlx::query(self.sql), |q, arg| match arg {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
        })
    }
}

/// Builds a [`Write`]: `write!(SQL, a, b)`.
#[macro_export]
macro_rules! write_sql {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::store::Write::new($sql, vec![$($crate::store::Arg::from($arg)),*])
    };
}
