//! SQLite persistence: one JSON document per object, plus the columns lookups need.
//!
//! Every object is stored whole as JSON (so adding a field needs no migration) next to a few
//! indexed columns (holder, authorization, client secret). All access goes through
//! [`Store::transaction`], which serialises writers: the sandbox is a single-node test server
//! and correctness (a session completes exactly once) matters more than write concurrency.
//!
//! Every object also has an *owner*: the Stripe account it belongs to, `""` for the platform
//! and `acct_…` for a connected account (what a request's `Stripe-Account` header selects). A
//! transaction acts for one owner ([`Store::transaction_as`], [`Tx::as_owner`]): it reads only
//! that owner's objects and writes its own, so another account's IDs are simply not there. The
//! owner is a column, not part of the documents, so databases from before connected accounts
//! existed open with everything on the platform.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

/// Schema changes, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE objects (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        customer TEXT,
        authorization_id TEXT,
        client_secret TEXT,
        body TEXT NOT NULL
    );
    CREATE INDEX objects_kind ON objects (kind);
    CREATE INDEX objects_customer ON objects (customer);
    CREATE INDEX objects_authorization ON objects (authorization_id);
    CREATE UNIQUE INDEX objects_client_secret ON objects (client_secret);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    "CREATE TABLE idempotency (
        scope TEXT PRIMARY KEY,
        request TEXT NOT NULL,
        created INTEGER NOT NULL,
        status INTEGER,
        body BLOB
    );",
    "CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_status INTEGER
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, next_attempt_at);",
    // Every attempt, kept for the delivery log a developer reads when a webhook went missing.
    "CREATE TABLE webhook_attempts (
        delivery_id INTEGER NOT NULL,
        attempted_at INTEGER NOT NULL,
        status INTEGER
    );
    CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);",
    // Why an attempt got no HTTP status (connection refused, certificate not trusted, timeout).
    "ALTER TABLE webhook_attempts ADD COLUMN error TEXT;",
    // Connected accounts: every object belongs to the platform ('') or to one `acct_…`. Lists
    // of a kind read the (owner, kind) index in rowid order, as they read (kind) before.
    "ALTER TABLE objects ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    DROP INDEX objects_kind;
    CREATE INDEX objects_owner_kind ON objects (owner, kind);",
];

/// The owner of the platform's own objects.
pub const PLATFORM: &str = "";

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open database {path}: {source}")]
pub struct OpenError {
    path: String,
    #[source]
    source: rusqlite::Error,
}

/// The columns an object is looked up by.
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// The holder: a customer (`cus_…`), or the connected account (`acct_…`) of an
    /// `account_holder[type]=account`.
    pub customer: Option<&'a str>,
    /// Authorization the object belongs to.
    pub authorization: Option<&'a str>,
    /// The browser credential that finds the object.
    pub client_secret: Option<&'a str>,
}

/// An object stored as a JSON document.
pub trait Document: Serialize + DeserializeOwned {
    /// The `kind` column, also used in "No such …" messages.
    const KIND: &'static str;
    /// The object's ID.
    fn id(&self) -> &str;
    /// The indexed columns.
    fn index(&self) -> Index<'_> {
        Index::default()
    }
}

/// A handle to the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one for `:memory:`,
    /// and applies pending migrations.
    pub fn open(path: &str) -> Result<Self, OpenError> {
        let wrap = |source| OpenError {
            path: path.to_owned(),
            source,
        };
        let conn = if path == ":memory:" {
            Connection::open_in_memory().map_err(wrap)?
        } else {
            let conn = Connection::open(path).map_err(wrap)?;
            // WAL lets readers (e.g. `sqlite3` poking at a running sandbox) not block writes.
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(wrap)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(wrap)?;
            conn
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        // Room for every statement the sandbox runs, so none is parsed twice.
        conn.set_prepared_statement_cache_capacity(128);
        migrate(&conn).map_err(wrap)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` in one transaction acting for the platform, committed only if it returns `Ok`.
    pub fn transaction<T>(&self, f: impl FnOnce(&Tx<'_>) -> ApiResult<T>) -> ApiResult<T> {
        self.transaction_as(PLATFORM, f)
    }

    /// Runs `f` in one transaction acting for `owner` (see the module doc), committed only if
    /// it returns `Ok`.
    pub fn transaction_as<T>(
        &self,
        owner: &str,
        f: impl FnOnce(&Tx<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        // A panic while holding the lock leaves no half-written data (the transaction rolls
        // back on drop), so a poisoned lock is safe to keep using.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        // BEGIN and COMMIT as cached statements: rusqlite's `transaction()` parses them anew on
        // every call, which showed in profiles of this one-request-one-transaction server.
        conn.prepare_cached("BEGIN")?.execute([])?;
        let mut open = OpenTransaction {
            conn: &conn,
            committed: false,
        };
        let out = f(&Tx { conn: &conn, owner })?;
        conn.prepare_cached("COMMIT")?.execute([])?;
        open.committed = true;
        Ok(out)
    }
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(sql)?;
        conn.pragma_update(None, "user_version", i + 1)?;
    }
    Ok(())
}

/// An open transaction, acting for one owner.
#[derive(Debug)]
pub struct Tx<'c> {
    conn: &'c Connection,
    owner: &'c str,
}

/// Rolls back a transaction that did not commit: on an error, or on a panic in its closure.
struct OpenTransaction<'c> {
    conn: &'c Connection,
    committed: bool,
}

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing more to do if even this fails: the next BEGIN will report it.
            let _ = self
                .conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut rollback| rollback.execute([]));
        }
    }
}

impl<'c> Tx<'c> {
    /// The same transaction acting for another owner: `""` ([`PLATFORM`]) or an `acct_…`.
    pub fn as_owner<'a>(&self, owner: &'a str) -> Tx<'a>
    where
        'c: 'a,
    {
        Tx {
            conn: self.conn,
            owner,
        }
    }

    /// The same transaction acting for the platform.
    pub fn platform(&self) -> Tx<'c> {
        Tx {
            conn: self.conn,
            owner: PLATFORM,
        }
    }

    /// Who this transaction acts for.
    pub fn owner(&self) -> &'c str {
        self.owner
    }
}

impl Tx<'_> {
    /// Inserts or replaces an object of this transaction's owner.
    pub fn put<T: Document>(&self, object: &T) -> ApiResult<()> {
        let body = serde_json::to_string(object)?;
        let index = object.index();
        self.conn
            .prepare_cached(
                "INSERT INTO objects (id, kind, customer, authorization_id, client_secret, body,
                     owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET customer = ?3, authorization_id = ?4,
                 client_secret = ?5, body = ?6",
            )?
            .execute(params![
                object.id(),
                T::KIND,
                index.customer,
                index.authorization,
                index.client_secret,
                body,
                self.owner,
            ])?;
        Ok(())
    }

    /// Loads an object by ID.
    pub fn get<T: Document>(&self, id: &str) -> ApiResult<Option<T>> {
        self.one(
            "SELECT body FROM objects WHERE kind = ?1 AND id = ?2 AND owner = ?3",
            params![T::KIND, id, self.owner],
        )
    }

    /// Loads an object by ID or fails with `resource_missing`.
    pub fn fetch<T: Document>(&self, id: &str, param: Option<&str>) -> ApiResult<T> {
        self.get(id)?
            .ok_or_else(|| ApiError::no_such(T::KIND, id, param))
    }

    /// Loads the object a client secret belongs to.
    pub fn by_client_secret<T: Document>(&self, secret: &str) -> ApiResult<Option<T>> {
        self.one(
            "SELECT body FROM objects WHERE kind = ?1 AND client_secret = ?2 AND owner = ?3",
            params![T::KIND, secret, self.owner],
        )
    }

    /// Objects of a holder (customer or connected account), newest first.
    pub fn by_customer<T: Document>(&self, customer: &str) -> ApiResult<Vec<T>> {
        self.many(
            "SELECT body FROM objects WHERE kind = ?1 AND customer = ?2 AND owner = ?3
             ORDER BY rowid DESC",
            params![T::KIND, customer, self.owner],
        )
    }

    /// Objects on an authorization, oldest first.
    pub fn by_authorization<T: Document>(&self, authorization: &str) -> ApiResult<Vec<T>> {
        self.many(
            "SELECT body FROM objects WHERE kind = ?1 AND authorization_id = ?2 AND owner = ?3
             ORDER BY rowid",
            params![T::KIND, authorization, self.owner],
        )
    }

    /// Every object of a kind, newest first.
    pub fn all<T: Document>(&self) -> ApiResult<Vec<T>> {
        self.many(
            "SELECT body FROM objects WHERE owner = ?1 AND kind = ?2 ORDER BY rowid DESC",
            params![self.owner, T::KIND],
        )
    }

    /// One page of a kind's objects (only `customer`'s, when given), newest first, with
    /// Stripe's cursors; returns the page and whether more follow in the direction of travel.
    ///
    /// Paging happens in SQL so that a list call costs the same with a hundred thousand
    /// objects as with ten.
    pub fn page<T: Document>(
        &self,
        customer: Option<&str>,
        limit: usize,
        starting_after: Option<&str>,
        ending_before: Option<&str>,
    ) -> ApiResult<(Vec<T>, bool)> {
        let cursor = |id: &str, param: &str| -> ApiResult<i64> {
            self.conn
                .prepare_cached(
                    "SELECT rowid FROM objects WHERE kind = ?1 AND id = ?2 AND owner = ?3",
                )?
                .query_row(params![T::KIND, id, self.owner], |row| row.get(0))
                .optional()?
                .ok_or_else(|| ApiError::no_such(T::KIND, id, Some(param)))
        };
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let (sql, bound, ascending) = match (starting_after, ending_before) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "You may only specify one of starting_after and ending_before.",
                ));
            }
            (Some(after), None) => (
                "SELECT body FROM objects WHERE owner = ?5 AND kind = ?1
                 AND (?2 IS NULL OR customer = ?2) AND rowid < ?3 ORDER BY rowid DESC LIMIT ?4",
                cursor(after, "starting_after")?,
                false,
            ),
            (None, Some(before)) => (
                "SELECT body FROM objects WHERE owner = ?5 AND kind = ?1
                 AND (?2 IS NULL OR customer = ?2) AND rowid > ?3 ORDER BY rowid ASC LIMIT ?4",
                cursor(before, "ending_before")?,
                true,
            ),
            (None, None) => (
                "SELECT body FROM objects WHERE owner = ?5 AND kind = ?1
                 AND (?2 IS NULL OR customer = ?2) AND rowid < ?3 ORDER BY rowid DESC LIMIT ?4",
                i64::MAX,
                false,
            ),
        };
        let mut items: Vec<T> =
            self.many(sql, params![T::KIND, customer, bound, fetch, self.owner])?;
        let has_more = items.len() > limit;
        items.truncate(limit);
        if ascending {
            items.reverse();
        }
        Ok((items, has_more))
    }

    /// Removes an object; removing one that is not there is no error.
    pub fn delete<T: Document>(&self, id: &str) -> ApiResult<()> {
        self.conn
            .prepare_cached("DELETE FROM objects WHERE kind = ?1 AND id = ?2 AND owner = ?3")?
            .execute(params![T::KIND, id, self.owner])?;
        Ok(())
    }

    /// Who owns the object of this kind a client secret belongs to, whoever this transaction
    /// acts for: the browser holds only the secret, which is unique across owners.
    pub fn owner_of_client_secret<T: Document>(&self, secret: &str) -> ApiResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT owner FROM objects WHERE kind = ?1 AND client_secret = ?2")?
            .query_row(params![T::KIND, secret], |row| row.get(0))
            .optional()?)
    }

    /// Loads an object by ID whoever owns it: for the sandbox's own machinery (webhook
    /// delivery), never for what a request asks for.
    pub fn get_anywhere<T: Document>(&self, id: &str) -> ApiResult<Option<T>> {
        self.one(
            "SELECT body FROM objects WHERE kind = ?1 AND id = ?2",
            params![T::KIND, id],
        )
    }

    /// Reads a sandbox-internal setting.
    pub fn meta(&self, key: &str) -> ApiResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    /// Writes a sandbox-internal setting.
    pub fn set_meta(&self, key: &str, value: &str) -> ApiResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
            )?
            .execute([key, value])?;
        Ok(())
    }

    /// The raw connection, for modules with tables of their own (idempotency).
    pub(crate) fn conn(&self) -> &Connection {
        self.conn
    }

    /// Removes a sandbox-internal setting.
    pub fn delete_meta(&self, key: &str) -> ApiResult<()> {
        self.conn
            .prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([key])?;
        Ok(())
    }

    fn one<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> ApiResult<Option<T>> {
        // Cached: every request runs a handful of these, and parsing SQL showed in profiles.
        let body: Option<String> = self
            .conn
            .prepare_cached(sql)?
            .query_row(params, |row| row.get(0))
            .optional()?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }

    fn many<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> ApiResult<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let bodies = stmt
            .query_map(params, |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).map_err(ApiError::from))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Note {
        id: String,
    }

    impl Document for Note {
        const KIND: &'static str = "note";
        fn id(&self) -> &str {
            &self.id
        }
    }

    #[test]
    fn each_owner_sees_only_its_own_objects() {
        let store = Store::open(":memory:").unwrap();
        store
            .transaction_as("acct_a", |tx| tx.put(&Note { id: "n_1".into() }))
            .unwrap();
        let seen = |owner: &str| {
            store
                .transaction_as(owner, |tx| Ok((tx.get::<Note>("n_1")?, tx.all::<Note>()?)))
                .unwrap()
        };
        assert!(seen("acct_a").0.is_some());
        assert_eq!(seen("acct_a").1.len(), 1);
        for other in [PLATFORM, "acct_b"] {
            assert!(seen(other).0.is_none(), "{other:?}");
            assert!(seen(other).1.is_empty(), "{other:?}");
        }
        let anywhere = store
            .transaction(|tx| tx.get_anywhere::<Note>("n_1"))
            .unwrap();
        assert!(anywhere.is_some());
    }

    #[test]
    fn a_database_from_before_connected_accounts_opens_with_everything_on_the_platform() {
        let path = std::env::temp_dir().join(format!(
            "relink-sandbox-migration-{}-{}.db",
            std::process::id(),
            crate::ids::new_id("t")
        ));
        let path_str = path.to_str().unwrap().to_owned();
        {
            // The schema as the migrations before connected accounts left it.
            let before = MIGRATIONS.len() - 1;
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..before] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", before).unwrap();
            conn.execute(
                "INSERT INTO objects (id, kind, body) VALUES ('n_old', 'note', '{\"id\":\"n_old\"}')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path_str).unwrap();
        let old = store.transaction(|tx| tx.get::<Note>("n_old")).unwrap();
        assert_eq!(old.map(|n| n.id).as_deref(), Some("n_old"));
        let version: usize = store
            .conn
            .lock()
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path_str}{suffix}"));
        }
    }

    fn stored(store: &Store, key: &str) -> Option<String> {
        store.transaction(|tx| tx.meta(key)).unwrap()
    }

    #[test]
    fn an_error_rolls_back_everything_the_transaction_wrote() {
        let store = Store::open(":memory:").unwrap();
        let failed: ApiResult<()> = store.transaction(|tx| {
            tx.set_meta("written", "1")?;
            Err(ApiError::invalid("changed my mind"))
        });
        assert!(failed.is_err());
        assert_eq!(stored(&store, "written"), None);
        store.transaction(|tx| tx.set_meta("written", "2")).unwrap();
        assert_eq!(stored(&store, "written").as_deref(), Some("2"));
    }

    #[test]
    fn a_panic_inside_rolls_back_and_leaves_the_store_usable() {
        let store = Store::open(":memory:").unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = store.transaction(|tx| -> ApiResult<()> {
                tx.set_meta("half", "written")?;
                panic!("a bug");
            });
        }));
        assert!(panicked.is_err());
        assert_eq!(stored(&store, "half"), None);
        store.transaction(|tx| tx.set_meta("after", "ok")).unwrap();
        assert_eq!(stored(&store, "after").as_deref(), Some("ok"));
    }
}
