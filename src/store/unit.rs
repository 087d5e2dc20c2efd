//! A state write expressed as data, so domain logic decides what to write and the entity
//! harness runs it inside the transaction that also stores the position and outbox.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;
use std::borrow::Cow;

/// One bound argument. Only the types both engines share.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
    Null,
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
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        v.map_or(Arg::Null, Arg::Int)
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

/// A statement that writes any number of rows at once: `head`, then one parenthesised group
/// of `arity` parameters per row, comma-separated, then `tail`. The group committer writes
/// the rows of a batch's units with one such statement (per chunk, see `chunks`) instead of
/// one statement per unit, which on SQLite is one round trip to the driver's worker thread
/// each.
///
/// Only statements that touch rows owned by the writing entity alone may take this form:
/// the committer reorders such writes across the units of distinct entities (never within
/// one unit, and never two units of one entity in one statement).
#[derive(Debug, PartialEq, Eq)]
pub struct Rows {
    pub head: &'static str,
    pub arity: usize,
    pub tail: &'static str,
}

impl Rows {
    /// The statement's text for `rows` rows.
    pub(crate) fn sql(&self, rows: usize) -> String {
        let mut sql = String::with_capacity(self.head.len() + self.tail.len() + rows * self.arity * 5);
        sql.push_str(self.head);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..self.arity {
                if column > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&(row * self.arity + column + 1).to_string());
            }
            sql.push(')');
        }
        sql.push_str(self.tail);
        sql
    }
}

/// The text of a write: fixed, or a [`Rows`] statement that many units' rows can share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statement {
    Text(&'static str),
    Rows(&'static Rows),
}

/// One SQL statement with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub statement: Statement,
    pub args: Vec<Arg>,
    /// An optimistic-lock write: the unit fails unless it changes at least one row.
    pub must_change: bool,
}

impl Write {
    pub fn new(sql: &'static str, args: Vec<Arg>) -> Write {
        Write { statement: Statement::Text(sql), args, must_change: false }
    }

    /// One row of a [`Rows`] statement; `args` holds its `arity` values.
    pub fn row(rows: &'static Rows, args: Vec<Arg>) -> Write {
        debug_assert_eq!(args.len(), rows.arity, "{}", rows.head);
        Write { statement: Statement::Rows(rows), args, must_change: false }
    }

    /// Marks the write as guarded: if it changes no row (another writer moved the version
    /// on), the whole unit fails and its entity reloads.
    pub fn guarded(mut self) -> Write {
        self.must_change = true;
        self
    }

    /// The statement's text for this write alone.
    pub(crate) fn sql(&self) -> Cow<'static, str> {
        match self.statement {
            Statement::Text(sql) => Cow::Borrowed(sql),
            Statement::Rows(rows) => Cow::Owned(rows.sql(1)),
        }
    }
}

/// Binds `args` in order.
pub(crate) fn bind<'q>(query: Query<'q, Any, AnyArguments<'q>>, args: impl IntoIterator<Item = Arg>) -> Query<'q, Any, AnyArguments<'q>> {
    args.into_iter().fold(query, |q, arg| match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Null => q.bind(Option::<i64>::None),
    })
}

/// Builds a [`Write`]: `write!(SQL, a, b)`.
#[macro_export]
macro_rules! write_sql {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::store::Write::new($sql, vec![$($crate::store::Arg::from($arg)),*])
    };
}

/// Builds a [`Write`] of one row of a [`Rows`] statement: `write_rows!(STATEMENT, a, b)`.
#[macro_export]
macro_rules! write_rows {
    ($rows:expr $(, $arg:expr)* $(,)?) => {
        $crate::store::Write::row(&$rows, vec![$($crate::store::Arg::from($arg)),*])
    };
}
